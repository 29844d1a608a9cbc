package discord

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// newSession makes the discordgo session used for every REST call, so that its
// rate limiter (per-bucket, and 429 retry_after) applies to all of them. With
// apiURL set, requests meant for Discord go to that base instead: discordgo's
// endpoints are computed at init, so the transport rewrites the host.
func newSession(token, apiURL string, base *http.Client) (*discordgo.Session, error) {
	auth := ""
	if token != "" {
		auth = "Bot " + strings.TrimPrefix(token, "Bot ")
	}
	s, err := discordgo.New(auth)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	client := &http.Client{Timeout: 20 * time.Second}
	if base != nil {
		c := *base
		client = &c
	}
	if apiURL != "" {
		u, err := url.Parse(apiURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("DISCORD_API_URL=%q: use a base URL such as https://proxy.example/ ", apiURL)
		}
		next := client.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		client.Transport = rewriteHost{base: u, next: next}
	}
	s.Client = client
	s.ShouldRetryOnRateLimit = true
	s.MaxRestRetries = 3
	s.UserAgent = "DiscordBot (https://github.com/mspbot/mspbot, 1) mspbot"
	return s, nil
}

// discordHost is the host discordgo's REST endpoints point at.
var discordHost = mustHost(discordgo.EndpointDiscord)

func mustHost(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u.Host
}

// rewriteHost sends requests for Discord's API host to base, keeping the path
// (under base's own path, if it has one).
type rewriteHost struct {
	base *url.URL
	next http.RoundTripper
}

func (t rewriteHost) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != discordHost {
		return t.next.RoundTrip(r)
	}
	r2 := r.Clone(r.Context())
	r2.URL.Scheme = t.base.Scheme
	r2.URL.Host = t.base.Host
	r2.URL.Path = strings.TrimSuffix(t.base.Path, "/") + r.URL.Path
	r2.URL.RawPath = ""
	r2.Host = ""
	return t.next.RoundTrip(r2)
}
