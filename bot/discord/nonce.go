package discord

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/mspbot/mspbot/bot"
)

// An outbox post carries a nonce made from its delivery key, with
// enforce_nonce: Discord then creates at most one message per nonce and
// author within a few minutes, returning the first one to a repeat. A deliver
// job whose earlier attempt posted and died before the post was recorded
// (rescued within about two minutes) so gets its post back instead of
// posting it twice. discordgo's MessageSend has no nonce, hence the request
// made here.

// nonceOf is the nonce for the i-th of n messages of the delivery in ctx, ""
// outside a delivery. Discord takes at most 25 characters.
func nonceOf(ctx context.Context, i, n int) string {
	key, _ := bot.DeliveryOf(ctx)
	if key == "" {
		return ""
	}
	if n > 1 {
		key = fmt.Sprintf("%s#%d", key, i)
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])[:25]
}

// sendOnce posts send into channel, with nonce when not "" (see above).
func (a *Adapter) sendOnce(channel string, send *discordgo.MessageSend, nonce string, opts ...discordgo.RequestOption) (*discordgo.Message, error) {
	if nonce == "" {
		return a.session.ChannelMessageSendComplex(channel, send, opts...)
	}
	for _, e := range send.Embeds {
		if e.Type == "" {
			e.Type = discordgo.EmbedTypeRich
		}
	}
	data := struct {
		*discordgo.MessageSend
		Nonce        string `json:"nonce"`
		EnforceNonce bool   `json:"enforce_nonce"`
	}{send, nonce, true}
	endpoint := discordgo.EndpointChannelMessages(channel)
	var (
		raw []byte
		err error
	)
	if len(send.Files) > 0 {
		contentType, body, encErr := discordgo.MultipartBodyWithJSON(data, send.Files)
		if encErr != nil {
			return nil, encErr
		}
		raw, err = a.session.RequestRaw("POST", endpoint, contentType, body, endpoint, 0, opts...)
	} else {
		raw, err = a.session.RequestWithBucketID("POST", endpoint, data, endpoint, opts...)
	}
	if err != nil {
		return nil, err
	}
	var m discordgo.Message
	if err := discordgo.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return &m, nil
}
