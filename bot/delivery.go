package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Delivery is a post the bot owes after it has acknowledged an event: queued
// in an Outbox, it survives a restart and is retried until it goes through.
type Delivery struct {
	// Key identifies the post. Enqueueing a key that is already queued or was
	// delivered does nothing, so a redelivered event never posts twice. Empty
	// means the post has no natural key and is never deduplicated.
	Key      string
	To       Destination
	Messages []Message
	// WorkspaceID and RequestNumber, when set, name the request this post
	// announces: once posted, the request follows the post's thread (and a
	// retry finding a thread already recorded does not post again).
	WorkspaceID   int64
	RequestNumber int64
	// Else, when set, is posted instead when the platform refuses To for good
	// (a direct message to a guest the bot may not write to: their request's
	// thread instead).
	Else *Fallback
}

// Fallback is where a refused Delivery goes instead, and what it says there.
type Fallback struct {
	To       Destination
	Messages []Message
}

// Outbox queues deliveries durably (jobs.Outbox).
type Outbox interface {
	Enqueue(ctx context.Context, d Delivery) error
}

// Owed are the deliveries a change owes (the questions a closeout asks),
// handed to the store with the change: it queues them through Via in the
// change's own transaction, so they commit with it or not at all. A crash
// after the commit cannot lose them, and the same delivery handled again,
// which changes nothing, queues nothing either. Via must be able to queue
// inside a transaction (jobs.Outbox can; storage says what it needs).
type Owed struct {
	Via        Outbox
	Deliveries []Delivery
}

// DeliveryKey is the outbox key of the i-th message answering the event with
// sourceID in a workspace; "" when the event has no source id.
func DeliveryKey(platform Platform, workspace, sourceID string, i int) string {
	if sourceID == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s/%s/%d", platform, workspace, sourceID, i)
}

// Follower is a Sender whose platform needs a step to make a posted message
// the thread a request follows (Discord starts a thread on it). Senders
// without it: the request follows the destination's thread, or the posted
// message's own (Slack).
type Follower interface {
	Follow(ctx context.Context, to Destination, messageID string, r Request) (channel, thread string, err error)
}

// DeliveryError says how a failed post may be retried.
type DeliveryError struct {
	Err error
	// RetryAfter is how long the platform asked us to wait (a 429).
	RetryAfter time.Duration
	// Permanent means retrying cannot help: the channel is gone, the bot is
	// not in it, the token is revoked.
	Permanent bool
}

func (e *DeliveryError) Error() string { return e.Err.Error() }
func (e *DeliveryError) Unwrap() error { return e.Err }

// AsDeliveryError returns err's DeliveryError, if it carries one.
func AsDeliveryError(err error) (*DeliveryError, bool) {
	var de *DeliveryError
	ok := errors.As(err, &de)
	return de, ok
}

type callerRetriesKey struct{}

// CallerRetries marks ctx so that a Sender makes a single attempt and returns
// a *DeliveryError describing the failure: the caller (the outbox worker)
// schedules the retries itself, durably.
func CallerRetries(ctx context.Context) context.Context {
	return context.WithValue(ctx, callerRetriesKey{}, true)
}

// RetriedByCaller reports whether ctx was marked by CallerRetries.
func RetriedByCaller(ctx context.Context) bool {
	v, _ := ctx.Value(callerRetriesKey{}).(bool)
	return v
}

type deliveryKey struct{}

type deliveryInfo struct {
	key    string
	again  bool
	queued time.Time
}

// WithDelivery marks ctx as posting the outbox delivery key, queued at
// queued; again says an earlier attempt may have posted it already (the job
// runs again after a failure or a crash), so a Sender that can find its own
// earlier post by the key (Slack: the message's metadata) should return that
// instead of posting. No earlier attempt posted before queued: a search for
// it may stop there.
func WithDelivery(ctx context.Context, key string, again bool, queued time.Time) context.Context {
	return context.WithValue(ctx, deliveryKey{}, deliveryInfo{key, again, queued})
}

// DeliveryOf returns what WithDelivery put in ctx ("" when nothing).
func DeliveryOf(ctx context.Context) (key string, again bool) {
	d, _ := ctx.Value(deliveryKey{}).(deliveryInfo)
	return d.key, d.again
}

// DeliveryQueued is when the delivery in ctx was queued (zero when unknown).
func DeliveryQueued(ctx context.Context) time.Time {
	d, _ := ctx.Value(deliveryKey{}).(deliveryInfo)
	return d.queued
}
