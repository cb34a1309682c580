package slack

import (
	"context"
	"fmt"
	"slices"

	"github.com/quorum-dev/quorum/bot"
	slackgo "github.com/slack-go/slack"
)

var _ bot.Moderation = (*Adapter)(nil)

// CanManage implements bot.Moderation: workspace admins and owners, and the members of
// Config.ManagerGroup, may change a channel's drills.
func (a *Adapter) CanManage(ctx context.Context, u bot.User, conv bot.Conversation) (bool, error) {
	if conv.DM {
		return false, nil
	}
	var info *slackgo.User
	err := a.retry(ctx, "users.info", func(ctx context.Context) (err error) {
		info, err = a.api.GetUserInfoContext(ctx, u.ID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("look up user: %s", slackError(err))
	}
	if info.IsAdmin || info.IsOwner || info.IsPrimaryOwner {
		return true, nil
	}
	if a.cfg.ManagerGroup == "" {
		return false, nil
	}
	var members []string
	err = a.retry(ctx, "usergroups.users.list", func(ctx context.Context) (err error) {
		members, err = a.api.GetUserGroupMembersContext(ctx, a.cfg.ManagerGroup)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("list drill managers group: %s", slackError(err))
	}
	return slices.Contains(members, u.ID), nil
}

// team is the workspace's id, from auth.test ("" before Run has authenticated).
func (a *Adapter) team() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.teamID
}
