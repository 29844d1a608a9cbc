package slack

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
)

// userTTL is how long a users.info answer is trusted; names and timezones change rarely.
const userTTL = time.Hour

type cachedUser struct {
	u       slack.User
	fetched time.Time
}

type userCache struct {
	clock bot.Clock
	mu    sync.Mutex
	m     map[string]cachedUser
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
	c.m[u.ID] = cachedUser{u: u, fetched: c.clock.Now()}
}

// user maps a Slack user to a bot.User on first contact (users.info, cached):
// name, timezone and own team. A user whose team is not the workspace's (and
// not of the same Enterprise Grid org) is External: a Slack Connect guest, who
// is only ever a client user. When Slack cannot tell us who someone is, the
// event is refused rather than let a stranger in as staff.
func (a *Adapter) user(ctx context.Context, team, enterprise, id string) (bot.User, error) {
	su, ok := a.users.get(id)
	if !ok {
		var res *slack.User
		err := a.retry(ctx, "users.info", func(ctx context.Context) error {
			var err error
			res, err = a.api.GetUserInfoContext(ctx, id)
			return err
		})
		if err != nil {
			return bot.User{}, bot.Errorf(bot.EInternal, "users.info %s: %v", id, err)
		}
		su = *res
		a.users.put(su)
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
