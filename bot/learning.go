package bot

import "time"

// LearnedOverride is a coordinator's reclassification the classifier follows
// for similar new requests.
type LearnedOverride struct {
	RequestNumber int64     `db:"number"`
	Text          string    `db:"text"`
	Kind          string    `db:"kind"`
	Type          string    `db:"type"`
	ByName        string    `db:"by_name"`
	Reason        string    `db:"reason"`
	CreatedAt     time.Time `db:"created_at"`
	Similarity    float64   `db:"similarity"`
	Weight        float64   `db:"weight"` // how much it counts when the workspace's model is refitted
}

// ContractClause is one line of a client's contract.
type ContractClause struct {
	ID         int64  `db:"id"`
	Kind       string `db:"kind"` // "covered" or "always_project"
	Text       string `db:"text"`
	ClientCode string `db:"client_code"`
}

// WorkspaceModel is a workspace's refitted classifier: the weights its
// overrides moved, as JSON (see classify.LoadWorkspaceModel).
type WorkspaceModel struct {
	Model        []byte    `db:"model"`
	TrainingRows int       `db:"training_rows"`
	TrainedAt    time.Time `db:"trained_at"`
}
