package storage

import (
	"sync"
	"time"
)

// SettingsTTL bounds how long a change made by another bot instance to a
// rarely changing setting (a channel's intake and client, a client's
// contract clauses, a workspace's classifier model, whether it has learned
// overrides) can go unseen by this one. Changes this process makes take
// effect here at once: the method that writes drops the cached entry after
// its commit. Roles are never cached: who someone is and what they may do is
// read from Postgres on every event.
const SettingsTTL = 2 * time.Second

// maxCached bounds each cache; past it the cache starts over, so memory
// stays flat however many channels or clients pass through.
const maxCached = 10000

// settingsCache is a small read-through cache with a TTL. Its zero value is
// ready. A value read from Postgres before an invalidation is not kept after
// it (the generation check), so a write here is never hidden by a read that
// raced it.
type settingsCache[K comparable, V any] struct {
	mu  sync.Mutex
	m   map[K]cached[V]
	gen uint64
}

type cached[V any] struct {
	v  V
	at time.Time
}

// get returns the cached value, or the generation to pass to put after
// reading it from Postgres.
func (c *settingsCache[K, V]) get(k K) (v V, ok bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if ok && time.Since(e.at) < SettingsTTL {
		return e.v, true, c.gen
	}
	return v, false, c.gen
}

// put keeps v unless the cache was invalidated since gen was read.
func (c *settingsCache[K, V]) put(k K, v V, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= maxCached {
		c.m = map[K]cached[V]{}
	}
	c.m[k] = cached[V]{v: v, at: time.Now()}
}

// invalidate drops k, and makes reads in flight not keep what they read.
func (c *settingsCache[K, V]) invalidate(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, k)
}

// invalidateAll drops everything (a write whose keys are not known here).
func (c *settingsCache[K, V]) invalidateAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m = nil
}

// read is the read-through: the cached value, or load's, kept for next time.
func (c *settingsCache[K, V]) read(k K, load func() (V, error)) (V, error) {
	v, ok, gen := c.get(k)
	if ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.put(k, v, gen)
	return v, nil
}

// caches are the Store's settings caches.
type caches struct {
	channels     settingsCache[channelKey, channelSettings]
	clauses      settingsCache[int64, clauseList]
	models       settingsCache[int64, modelEntry]
	hasOverrides settingsCache[int64, bool]
}
