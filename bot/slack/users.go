package slack

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"golang.org/x/sync/singleflight"

	"github.com/mspbot/mspbot/bot"
)

// userTTL is how long a users.info answer is trusted; names and timezones change rarely.
const userTTL = time.Hour

type cachedUser struct {
	u       slack.User
	fetched time.Time
}

// maxCachedUsers bounds the cache: past it, an expired or arbitrary entry
// makes room, so memory stays flat however many people write.
const maxCachedUsers = 10000

type userCache struct {
	clock bot.Clock
	mu    sync.Mutex
	m     map[string]cachedUser
	// flight makes concurrent lookups of one uncached user a single users.info call.
	flight singleflight.Group
}

func newUserCache(c bot.Clock) *userCache { return &userCache{clock: c, m: map[string]cachedUser{}} }

func (c *userCache) get(id string) (slack.User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || c.clock.Now().Sub(e.fetched) > userTTL {
		return slack.User{}, false
	}
	return e.u, true
}

func (c *userCache) put(u slack.User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	if _, ok := c.m[u.ID]; !ok && len(c.m) >= maxCachedUsers {
		evicted := false
		for id, e := range c.m {
			if now.Sub(e.fetched) > userTTL {
				delete(c.m, id)
				evicted = true
			}
		}
		if !evicted {
			for id := range c.m { // map order: an arbitrary entry
				delete(c.m, id)
				break
			}
		}
	}
	c.m[u.ID] = cachedUser{u: u, fetched: now}
}

// user maps a Slack user to a bot.User on first contact (users.info, cached):
// name, timezone and own team. A user whose team is not the workspace's (and
// not of the same Enterprise Grid org) is External: a Slack Connect guest, who
// is only ever a client user. When Slack cannot tell us who someone is, the
// event is refused rather than let a stranger in as staff.
func (a *Adapter) user(ctx context.Context, team, enterprise, id string) (bot.User, error) {
	su, ok := a.users.get(id)
	if !ok {
		// Inbox workers only (never before an ack): one call per user however
		// many of their payloads are being handled at once.
		v, err, _ := a.users.flight.Do(id, func() (any, error) {
			var res *slack.User
			err := a.retry(ctx, "users.info", func(ctx context.Context) error {
				var err error
				res, err = a.api.GetUserInfoContext(ctx, id)
				return err
			})
			if err != nil {
				return nil, err
			}
			a.users.put(*res)
			return *res, nil
		})
		if err != nil {
			return bot.User{}, bot.Errorf(bot.EInternal, "users.info %s: %v", id, err)
		}
		su = v.(slack.User)
	}
	name := su.Profile.DisplayName
	if name == "" {
		name = su.Name
	}
	if name == "" {
		name = su.RealName
	}
	if name == "" {
		name = id
	}
	u := bot.User{ID: id, Name: name, TeamID: su.TeamID, Timezone: su.TZ}
	sameOrg := su.TeamID != "" && su.TeamID == team ||
		enterprise != "" && su.Enterprise.EnterpriseID == enterprise
	// A user whose team Slack does not tell us, or a guest account of our own
	// workspace, is treated as outside: never staff by default.
	u.External = !sameOrg || su.IsRestricted || su.IsUltraRestricted
	return u, nil
}

// channelOrgs returns a lookup of the outside teams a channel is shared with
// (conversations.info), for linking a shared channel to a client.
func (a *Adapter) channelOrgs(team, enterprise, channel string) func(ctx context.Context) ([]string, error) {
	return func(ctx context.Context) ([]string, error) {
		var ch *slack.Channel
		err := a.retry(ctx, "conversations.info", func(ctx context.Context) error {
			var err error
			ch, err = a.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
			return err
		})
		if err != nil {
			return nil, bot.Errorf(bot.EInternal, "conversations.info %s: %v", channel, err)
		}
		var out []string
		for _, t := range append(append([]string{}, ch.ConnectedTeamIDs...), ch.SharedTeamIDs...) {
			if t != "" && t != team && t != enterprise && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
		return out, nil
	}
}
