package commands

import (
	"sync"

	"github.com/mspbot/mspbot/commands/classify"
)

// Parsing a workspace's model copies the committed model's weights: too
// much to do for every request. The store hands out the same bytes for a
// workspace until the model changes or its cache entry expires
// (storage.SettingsTTL), so the parse is kept for exactly those bytes: a
// retrain or drop makes the store return new bytes (or none), and the next
// request parses them.
var models struct {
	mu sync.Mutex
	m  map[int64]parsed
}

type parsed struct {
	data  []byte // the bytes parsed; held, so their address names them
	model *classify.Model
}

// maxParsedModels bounds the cache; past it, it starts over.
const maxParsedModels = 1000

func parsedModel(workspaceID int64, data []byte) (*classify.Model, error) {
	if len(data) == 0 {
		return classify.LoadWorkspaceModel(data, classify.Default())
	}
	models.mu.Lock()
	p, ok := models.m[workspaceID]
	models.mu.Unlock()
	if ok && len(p.data) == len(data) && &p.data[0] == &data[0] {
		return p.model, nil
	}
	m, err := classify.LoadWorkspaceModel(data, classify.Default())
	if err != nil {
		return m, err
	}
	models.mu.Lock()
	defer models.mu.Unlock()
	if models.m == nil || len(models.m) >= maxParsedModels {
		models.m = map[int64]parsed{}
	}
	models.m[workspaceID] = parsed{data: data, model: m}
	return m, nil
}
