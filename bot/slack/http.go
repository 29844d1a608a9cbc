package slack

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// MaxBody is the largest request body accepted; Slack's are a few kilobytes.
const MaxBody = 1 << 20

// Mux is where the adapter mounts its endpoints (*web.Server).
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Mount adds POST /slack/commands, /slack/events and /slack/interactions.
func (a *Adapter) Mount(m Mux) {
	m.Handle("POST /slack/commands", a.signed(a.serveCommand))
	m.Handle("POST /slack/events", a.signed(a.serveEvents))
	m.Handle("POST /slack/interactions", a.signed(a.serveInteraction))
}

// signed reads at most MaxBody bytes (413 beyond), checks the signature and the
// timestamp before anything is parsed (401 otherwise), then hands the raw body on.
func (a *Adapter) signed(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				a.log.Warn("slack request too large", "path", r.URL.Path, "limit", MaxBody)
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		if err := a.verify.Verify(r.Header, body); err != nil {
			a.log.Warn("slack request refused", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	})
}

// write sends the ack (status and optional JSON), then starts the slow work.
func (a *Adapter) write(w http.ResponseWriter, res result) {
	if res.status != 0 && res.status != http.StatusOK {
		http.Error(w, http.StatusText(res.status), res.status)
		return
	}
	startAfter := a.reserveAfter(res)
	defer startAfter()
	if res.ack != nil {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(res.ack)
	} else {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	cmd, err := parseSlashForm(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if cmd.TeamID == "" || cmd.UserID == "" {
		http.Error(w, "command without team_id or user_id", http.StatusBadRequest)
		return
	}
	payload, err := json.Marshal(cmd)
	if err != nil {
		http.Error(w, "cannot encode command", http.StatusInternalServerError)
		return
	}
	a.answer(w, kindSlash, a.keep(r.Context(), kindSlash, inboxKey(kindSlash, cmd.TeamID, cmd.TriggerID, body), payload))
}

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	var probe struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
		TeamID    string `json:"team_id"`
		EventID   string `json:"event_id"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		http.Error(w, "not JSON", http.StatusBadRequest)
		return
	}
	if probe.Type == slackevents.URLVerification {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, probe.Challenge)
		return
	}
	if probe.Type != slackevents.CallbackEvent {
		w.WriteHeader(http.StatusOK) // app_rate_limited and the like: nothing to do
		return
	}
	if probe.TeamID == "" {
		// Every event belongs to a team: one without is malformed and must store nothing.
		http.Error(w, "event without team_id", http.StatusBadRequest)
		return
	}
	if n, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num")); n > 0 {
		a.log.Info("slack retry delivery", "attempt", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
	}
	a.answer(w, kindEvent, a.keep(r.Context(), kindEvent, inboxKey(kindEvent, probe.TeamID, probe.EventID, body), body))
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, body []byte) {
	payload, err := parseInteractionForm(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	team := interactionTeam(payload)
	if team == "" {
		http.Error(w, "interaction without a team", http.StatusBadRequest)
		return
	}
	a.answer(w, kindInteraction, a.keep(r.Context(), kindInteraction, inboxKey(kindInteraction, team, "", payload), payload))
}

// interactionTeam reads an interaction's team. Interactions are keyed by a
// digest of the payload: Slack never retries them, and one trigger_id can
// carry several submissions of the same modal.
func interactionTeam(payload []byte) string {
	var p struct {
		Team struct {
			ID string `json:"id"`
		} `json:"team"`
	}
	_ = json.Unmarshal(payload, &p)
	return p.Team.ID
}

var (
	errNoPayload = errors.New("no payload field")
	errNoCommand = errors.New("not a slash command")
)

// parseSlashForm reads a slash command's form body.
func parseSlashForm(body []byte) (slack.SlashCommand, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return slack.SlashCommand{}, err
	}
	c := slack.SlashCommand{
		Token: v.Get("token"), TeamID: v.Get("team_id"), TeamDomain: v.Get("team_domain"),
		EnterpriseID: v.Get("enterprise_id"), EnterpriseName: v.Get("enterprise_name"),
		IsEnterpriseInstall: v.Get("is_enterprise_install") == "true",
		ChannelID:           v.Get("channel_id"), ChannelName: v.Get("channel_name"),
		UserID: v.Get("user_id"), UserName: v.Get("user_name"), Command: v.Get("command"), Text: v.Get("text"),
		ResponseURL: v.Get("response_url"), TriggerID: v.Get("trigger_id"), APIAppID: v.Get("api_app_id"),
	}
	if c.Command == "" || c.UserID == "" || c.TeamID == "" {
		return c, errNoCommand
	}
	return c, nil
}

// parseInteractionForm returns the JSON in an interactivity form's payload field.
func parseInteractionForm(body []byte) ([]byte, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	p := v.Get("payload")
	if p == "" {
		return nil, errNoPayload
	}
	if !json.Valid([]byte(p)) {
		return nil, errors.New("payload is not JSON")
	}
	return []byte(p), nil
}
