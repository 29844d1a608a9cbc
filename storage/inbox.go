package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// InboxItem is one verified platform delivery to keep before it is
// acknowledged. Key identifies the delivery on its platform (a Slack event_id
// or trigger_id, a Discord interaction or message id): a second delivery with
// the same key is not stored again.
type InboxItem struct {
	Platform string
	Kind     string // what Payload is: "slash", "event", "interaction", …
	Key      string
	Payload  []byte
}

// InboxRow is a stored delivery being handled.
type InboxRow struct {
	ID       int64
	Platform string
	Kind     string
	Key      string
	Payload  []byte
	Attempts int // earlier attempts that failed with an error
}

// AppendInbox stores items in one statement and one commit (the group commit
// of bot/intake). ids[i] is the new row's id, or 0 when items[i]'s key was
// stored before (or earlier in the same batch): a retry, already durable.
// maxPreparedBatch is the largest batch AppendInbox prepares a statement for
// (one per batch size): under load the writers' batches are a few rows; a
// rare burst's larger ones go as text.
const maxPreparedBatch = 64

func (s *Store) AppendInbox(ctx context.Context, items []InboxItem) (ids []int64, err error) {
	// One multi-row VALUES: each payload goes as a binary parameter, which
	// Postgres takes far more cheaply than the same bytes in an array literal.
	var q strings.Builder
	q.WriteString(`INSERT INTO inbox (platform, kind, dedupe_key, payload) VALUES `)
	args := make([]any, 0, 4*len(items))
	for i, it := range items {
		if i > 0 {
			q.WriteString(", ")
		}
		n := 4 * i
		fmt.Fprintf(&q, "($%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4)
		args = append(args, it.Platform, it.Kind, it.Key, it.Payload)
	}
	q.WriteString(` ON CONFLICT (platform, dedupe_key) DO NOTHING RETURNING id, platform, dedupe_key`)
	// Rows come back in any order; they are matched to items by key below.
	var rows *sql.Rows
	if len(items) <= maxPreparedBatch {
		st, err := s.prepared(ctx, q.String())
		if err != nil {
			return nil, mapErr(err, "append inbox")
		}
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = s.db.QueryContext(ctx, q.String(), args...)
	}
	if err != nil {
		return nil, mapErr(err, "append inbox")
	}
	defer rows.Close()
	type pk struct{ platform, key string }
	got := make(map[pk]int64, len(items))
	for rows.Next() {
		var (
			id   int64
			p, k string
		)
		if err := rows.Scan(&id, &p, &k); err != nil {
			return nil, mapErr(err, "append inbox")
		}
		got[pk{p, k}] = id
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "append inbox")
	}
	ids = make([]int64, len(items))
	for i, it := range items {
		k := pk{it.Platform, it.Key}
		ids[i] = got[k]
		delete(got, k) // a key twice in one batch: only the first is new
	}
	return ids, nil
}

// ErrInboxTaken is returned by HandleInbox when the row is done, not due yet,
// or being handled by another worker right now.
var ErrInboxTaken = errors.New("inbox row taken or done")

// ErrInboxYield, returned by a batch's fn before it does anything with a
// row, ends the run there: that row and the rest stay pending as they were
// (no attempt counted), and the rows handled before it are marked done.
var ErrInboxYield = errors.New("inbox run yields")

// HandleInbox locks a pending row, runs fn on it and marks it done in the same
// transaction, which holds the row's lock the whole time. A crash anywhere
// before that commit releases the lock with the connection, and the row is
// pending again for the next worker; so fn's own writes must be idempotent
// (requests and comments by source id, posts by delivery key). When fn fails
// the row is tried again after backoff, up to maxAttempts, then put aside as
// done with its error.
func (s *Store) HandleInbox(ctx context.Context, id int64, maxAttempts int, backoff func(attempt int) time.Duration,
	fn func(ctx context.Context, row InboxRow) error) error {
	n, errs, err := s.HandleInboxBatch(ctx, []int64{id}, maxAttempts, backoff, fn, nil)
	switch {
	case err != nil:
		return err
	case n == 0:
		return ErrInboxTaken
	case len(errs) > 0:
		return errs[0]
	}
	return nil
}

// HandleInboxBatch is HandleInbox for several rows in one transaction: one
// statement locks those of ids that are pending, due and not locked by
// another worker, fn runs on each in turn, and one statement marks the
// handled ones done before the one commit. That saves each row three of the
// four round trips of its own claim; a crash before the commit leaves every
// row of the batch pending, to be handled again (idempotently). It returns
// how many rows it claimed and the error of each that failed (its attempt
// recorded in the same commit). settle, when set, runs after every row's fn
// and before the done mark: it makes durable what the rows' work held back
// (their posts, queued in one insert: jobs.Outbox.Collect); when it fails
// nothing is marked and the whole run is handled again.
func (s *Store) HandleInboxBatch(ctx context.Context, ids []int64, maxAttempts int, backoff func(attempt int) time.Duration,
	fn func(ctx context.Context, row InboxRow) error, settle func(context.Context) error) (claimed int, failed []error, err error) {
	// Prepared before the transaction takes its connection (see prepared).
	claim, err := s.prepared(ctx, `
		SELECT id, platform, kind, dedupe_key, payload, attempts FROM inbox
		WHERE id = ANY($1) AND done_at IS NULL AND not_before <= now()
		ORDER BY id FOR UPDATE SKIP LOCKED`)
	if err != nil {
		return 0, nil, mapErr(err, "claim inbox")
	}
	mark, err := s.prepared(ctx, `UPDATE inbox SET done_at = now() WHERE id = ANY($1)`)
	if err != nil {
		return 0, nil, mapErr(err, "inbox done")
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, nil, mapErr(err, "begin inbox")
	}
	defer tx.Rollback()
	rows, err := tx.StmtContext(ctx, claim).QueryContext(ctx, pq.Array(ids))
	if err != nil {
		return 0, nil, mapErr(err, "claim inbox")
	}
	var batch []InboxRow
	for rows.Next() {
		var r InboxRow
		if err := rows.Scan(&r.ID, &r.Platform, &r.Kind, &r.Key, &r.Payload, &r.Attempts); err != nil {
			rows.Close()
			return 0, nil, mapErr(err, "claim inbox")
		}
		batch = append(batch, r)
	}
	if err := rows.Close(); err != nil {
		return 0, nil, mapErr(err, "claim inbox")
	}
	if len(batch) == 0 {
		return 0, nil, nil
	}
	done := make([]int64, 0, len(batch))
	wctx := withinInbox(ctx)
	for _, r := range batch {
		werr := fn(wctx, r)
		if errors.Is(werr, ErrInboxYield) {
			break
		}
		if werr == nil {
			done = append(done, r.ID)
			continue
		}
		if err := s.inboxFailed(ctx, tx, r, maxAttempts, backoff, werr); err != nil {
			return 0, nil, err
		}
		failed = append(failed, fmt.Errorf("inbox %d attempt %d: %w", r.ID, r.Attempts+1, werr))
	}
	if settle != nil {
		if err := settle(ctx); err != nil {
			return 0, nil, err
		}
	}
	if len(done) > 0 {
		if _, err := tx.StmtContext(ctx, mark).ExecContext(ctx, pq.Array(done)); err != nil {
			return 0, nil, mapErr(err, "inbox done")
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, nil, mapErr(err, "inbox done")
	}
	return len(batch), failed, nil
}

type inboxCtxKey struct{}

// withinInbox marks ctx as the handling of an inbox row that is marked done
// by a durable commit after the work: see commitMode.
func withinInbox(ctx context.Context) context.Context {
	return context.WithValue(ctx, inboxCtxKey{}, true)
}

// commitMode is the synchronous_commit for a request's insert: "off" inside
// an inbox row's handling, else nil (the database's setting). An
// asynchronous commit is as durable as the next durable one: WAL is flushed
// in order, so the row's done mark, or the deliver job queued for the
// request's post (both durable commits that come after it), flush it too.
// Until then a crash can lose the request only together with the done
// mark, and the row, still pending, opens it again. Not waiting for the disk
// there matters: the insert holds its workspace's row (the request counter)
// until its commit, so every request of a workspace queued behind a flush.
func commitMode(ctx context.Context) *string {
	if v, _ := ctx.Value(inboxCtxKey{}).(bool); v {
		off := "off"
		return &off
	}
	return nil
}

// inboxFailed records a failed attempt in the claiming transaction: the row
// waits out its backoff, or after the last attempt is kept as done with the
// error (the attempt's error is recorded on the row).
func (s *Store) inboxFailed(ctx context.Context, tx *sqlx.Tx, row InboxRow, maxAttempts int,
	backoff func(int) time.Duration, werr error) error {
	attempts := row.Attempts + 1
	var doneAt any
	if attempts >= maxAttempts {
		doneAt = time.Now()
	}
	wait := time.Second
	if backoff != nil {
		wait = backoff(attempts)
	}
	_, err := tx.ExecContext(ctx, `UPDATE inbox SET attempts = $2, last_error = $3,
		not_before = now() + $4 * interval '1 millisecond', done_at = $5 WHERE id = $1`,
		row.ID, attempts, werr.Error(), wait.Milliseconds(), doneAt)
	return mapErr(err, "inbox attempt")
}

// PendingInbox lists up to limit pending rows that are due and not being
// handled right now, oldest first.
func (s *Store) PendingInbox(ctx context.Context, limit int) ([]int64, error) {
	st, err := s.prepared(ctx, `
		SELECT id FROM inbox WHERE done_at IS NULL AND not_before <= now()
		ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`)
	if err != nil {
		return nil, mapErr(err, "pending inbox")
	}
	rows, err := st.QueryContext(ctx, limit)
	if err != nil {
		return nil, mapErr(err, "pending inbox")
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, mapErr(err, "pending inbox")
		}
		ids = append(ids, id)
	}
	return ids, mapErr(rows.Err(), "pending inbox")
}

// InboxDue counts pending rows that are due, including rows being handled
// right now (it takes no locks, so it sees them).
func (s *Store) InboxDue(ctx context.Context) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM inbox WHERE done_at IS NULL AND not_before <= now()`)
	return n, mapErr(err, "inbox due")
}

// InboxRowState is what a test or an operator sees of a row.
type InboxRowState struct {
	Key       string
	Attempts  int
	LastError string
	Done      bool
}

// InboxRows lists a platform's rows, oldest first (tests and diagnostics).
func (s *Store) InboxRows(ctx context.Context, platform string) ([]InboxRowState, error) {
	var out []InboxRowState
	rows, err := s.db.QueryContext(ctx, `SELECT dedupe_key, attempts, last_error, done_at IS NOT NULL
		FROM inbox WHERE platform = $1 ORDER BY id`, platform)
	if err != nil {
		return nil, mapErr(err, "inbox rows")
	}
	defer rows.Close()
	for rows.Next() {
		var r InboxRowState
		if err := rows.Scan(&r.Key, &r.Attempts, &r.LastError, &r.Done); err != nil {
			return nil, mapErr(err, "inbox rows")
		}
		out = append(out, r)
	}
	return out, mapErr(rows.Err(), "inbox rows")
}

// PruneInbox deletes rows done before before (platforms stop retrying after
// minutes; a day keeps duplicates recognised) and reports how many went.
func (s *Store) PruneInbox(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM inbox WHERE done_at < $1`, before)
	if err != nil {
		return 0, mapErr(err, "prune inbox")
	}
	n, err := res.RowsAffected()
	return n, mapErr(err, "prune inbox")
}
