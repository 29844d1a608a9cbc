package slack

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot/intake"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// BenchmarkIntake times signed /request slash commands from many concurrent
// senders (b.RunParallel, 8 per core) until each is acknowledged, through the
// real adapter (verify, inbox group commit, ack; one inbox worker opens the
// requests meanwhile), against a baseline in the same run and database that
// verifies, inserts the command as one row in its own commit, and acks. The
// ratio is printed; absolute times on a shared machine are noise.
//
//	go test -run '^$' -bench BenchmarkIntake -benchtime 4000x ./bot/slack/
func BenchmarkIntake(b *testing.B) {
	for _, teams := range []int{1, 50} {
		b.Run(fmt.Sprintf("workspaces-%d", teams), func(b *testing.B) {
			store := storagetest.New(b)
			fake := newFakeSlack(b, testTeam, testBot)
			e := newEnvOn(b, store, fake, func(c *Config) { c.Intake = intake.Options{Workers: 1} })
			names := make([]string, teams)
			for i := range names {
				names[i] = fmt.Sprintf("T%04d", i)
				fake.addUser("U"+names[i], "user"+names[i], names[i], "UTC")
			}
			if _, err := store.DB().Exec(`CREATE TABLE baseline_commands (id bigserial PRIMARY KEY,
				team text NOT NULL, trigger_id text NOT NULL UNIQUE, body text NOT NULL)`); err != nil {
				b.Fatal(err)
			}
			v := Verifier{Secret: []byte(testSecret), Clock: e.clock}
			base := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if v.Verify(r.Header, body) != nil {
					http.Error(w, "invalid signature", http.StatusUnauthorized)
					return
				}
				f, _ := url.ParseQuery(string(body))
				if _, err := store.DB().ExecContext(r.Context(), `INSERT INTO baseline_commands (team, trigger_id, body)
					VALUES ($1, $2, $3)`, f.Get("team_id"), f.Get("trigger_id"), string(body)); err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				w.WriteHeader(http.StatusOK)
			}))
			defer base.Close()
			var seq atomic.Int64
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
			send := func(b *testing.B, url string) {
				n := seq.Add(1)
				team := names[int(n)%teams]
				form := url2form(team, "U"+team, n, fake.responseURL("U"+team))
				ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
				req, _ := http.NewRequest(http.MethodPost, url+"/slack/commands", strings.NewReader(form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Slack-Request-Timestamp", ts)
				req.Header.Set("X-Slack-Signature", Sign([]byte(testSecret), ts, []byte(form)))
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Errorf("status %d", resp.StatusCode)
				}
			}
			var perOp [2]time.Duration
			for i, t := range []struct{ name, url string }{{"baseline-1-row-insert", base.URL}, {"inbox", e.bot.URL}} {
				b.Run(t.name, func(b *testing.B) {
					b.SetParallelism(8)
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							send(b, t.url)
						}
					})
					perOp[i] = b.Elapsed() / time.Duration(b.N)
					if i == 1 && perOp[1] > 0 {
						// Throughput relative to the baseline just measured.
						b.ReportMetric(float64(perOp[0])/float64(perOp[1]), "×baseline")
					}
				})
			}
		})
	}
}

// url2form is a slash command's form body.
func url2form(team, user string, n int64, responseURL string) string {
	return url.Values{
		"token": {"x"}, "team_id": {team}, "team_domain": {"bench"}, "channel_id": {"C1"}, "channel_name": {"support"},
		"user_id": {user}, "user_name": {user}, "command": {"/request"},
		"text":         {fmt.Sprintf("Printer on floor %d is jammed (bench %d)", n%7, n)},
		"response_url": {responseURL}, "trigger_id": {fmt.Sprintf("bench.%d.%d", time.Now().UnixNano(), n)},
	}.Encode()
}
