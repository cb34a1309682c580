package discord

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"
	"github.com/quorum-dev/quorum/bot"
)

var _ bot.Moderation = (*Adapter)(nil)

// CanManage implements bot.Moderation: the server's owner, or a member whose roles grant
// Manage Server or Administrator. A slash command carries the member's permissions (the
// core is told through Event.Manager); typed `drill` words need this lookup.
func (a *Adapter) CanManage(ctx context.Context, u bot.User, conv bot.Conversation) (bool, error) {
	if conv.DM || conv.Guild == "" {
		return false, nil
	}
	g, err := a.s.Guild(conv.Guild, discordgo.WithContext(ctx))
	if err != nil {
		return false, fmt.Errorf("look up server: %w", scrub(err))
	}
	if g.OwnerID == u.ID {
		return true, nil
	}
	m, err := a.s.GuildMember(conv.Guild, u.ID, discordgo.WithContext(ctx))
	if err != nil {
		return false, fmt.Errorf("look up member: %w", scrub(err))
	}
	return managerPerms(g, m), nil
}

// managerPerms adds up @everyone's and the member's roles' permissions.
func managerPerms(g *discordgo.Guild, m *discordgo.Member) bool {
	mine := map[string]bool{g.ID: true} // @everyone's role id is the guild's
	for _, r := range m.Roles {
		mine[r] = true
	}
	var perms int64
	for _, r := range g.Roles {
		if mine[r.ID] {
			perms |= r.Permissions
		}
	}
	return perms&manageServer != 0 || perms&discordgo.PermissionAdministrator != 0
}
