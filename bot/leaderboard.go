package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Period is how far back a leaderboard looks.
type Period string

// Leaderboard periods.
const (
	PeriodWeek  Period = "week"
	PeriodMonth Period = "month"
	PeriodAll   Period = "all"
)

// Scope is what a leaderboard covers: a channel, or (Server) every channel of Conv's
// server or workspace.
type Scope struct {
	Conv   Conversation
	Server bool
}

func (s Scope) covers(c Conversation) bool {
	if c.Platform != s.Conv.Platform {
		return false
	}
	if s.Server {
		return s.Conv.Guild != "" && c.Guild == s.Conv.Guild
	}
	return c.ID == s.Conv.ID
}

// Board is a ranked leaderboard.
type Board struct {
	Scope  Scope
	Period Period
	Since  time.Time // zero for all time
	Rows   []BoardRow
}

// BoardRow is one member's line.
type BoardRow struct {
	User     User
	Answered int
	Passed   int
	// Average is the mean score of their answers.
	Average int
}

// Leaderboard ranks the members who answered drills in scope during the period: by drill
// questions passed, then by average score, then by answers. It counts drill answers
// only: practice is private, drills are what a channel does together.
func (b *Bot) Leaderboard(ctx context.Context, scope Scope, period Period) (*Board, error) {
	store, ok := b.drillStore()
	if !ok {
		return &Board{Scope: scope, Period: period}, nil
	}
	board := &Board{Scope: scope, Period: period}
	now := b.clock.Now()
	switch period {
	case PeriodWeek:
		board.Since = now.Add(-7 * 24 * time.Hour)
	case PeriodMonth:
		board.Since = now.Add(-30 * 24 * time.Hour)
	}
	runs, err := store.DrillRuns(ctx, func(r *DrillRun) bool {
		return scope.covers(r.Conv) && len(r.Answers) > 0 && !r.Posted.Before(board.Since)
	})
	if err != nil {
		return nil, fmt.Errorf("load drill runs: %w", err)
	}
	type tally struct {
		row   BoardRow
		total int
	}
	by := map[string]*tally{}
	for _, r := range runs {
		for _, a := range r.Answers {
			t := by[a.User.Key()]
			if t == nil {
				t = &tally{row: BoardRow{User: a.User}}
				by[a.User.Key()] = t
			}
			if a.User.Name != "" {
				t.row.User.Name = a.User.Name
			}
			t.row.Answered++
			t.total += a.Score
			if a.Pass {
				t.row.Passed++
			}
		}
	}
	for _, t := range by {
		t.row.Average = (t.total + t.row.Answered/2) / t.row.Answered
		board.Rows = append(board.Rows, t.row)
	}
	sort.Slice(board.Rows, func(i, j int) bool {
		x, y := board.Rows[i], board.Rows[j]
		if x.Passed != y.Passed {
			return x.Passed > y.Passed
		}
		if x.Average != y.Average {
			return x.Average > y.Average
		}
		if x.Answered != y.Answered {
			return x.Answered > y.Answered
		}
		return displayName(x.User) < displayName(y.User)
	})
	return board, nil
}

// Text renders the top n rows.
func (bd *Board) Text(n int) string {
	var t strings.Builder
	where := "this channel"
	if bd.Scope.Server {
		where = "this server"
	}
	when := map[Period]string{PeriodWeek: "the last 7 days", PeriodMonth: "the last 30 days", PeriodAll: "all time"}[bd.Period]
	fmt.Fprintf(&t, "Leaderboard for %s, %s (drill questions passed):\n", where, when)
	if len(bd.Rows) == 0 {
		t.WriteString("No drill answers yet. A drill posts a question here on a schedule: `drill add 0 9 * * mon-fri Europe/Berlin`.")
		return t.String()
	}
	for i, r := range bd.Rows {
		if i == n {
			fmt.Fprintf(&t, "…and %d more.\n", len(bd.Rows)-n)
			break
		}
		fmt.Fprintf(&t, "%d. %s: %d passed of %d, average %d\n", i+1, displayName(r.User), r.Passed, r.Answered, r.Average)
	}
	return strings.TrimRight(t.String(), "\n")
}

func sortAnswers(a []DrillAnswer) {
	sort.SliceStable(a, func(i, j int) bool {
		if a[i].Pass != a[j].Pass {
			return a[i].Pass
		}
		return a[i].Score > a[j].Score
	})
}

// leaderboardCommand handles `leaderboard [server] [week|month|all]`.
// parseLeaderboard reads `leaderboard` arguments: whether the whole server is asked
// for, and the period (a month when none is given). ok is false for any other word.
func parseLeaderboard(args []string) (server bool, period Period, ok bool) {
	period = PeriodMonth
	for _, a := range args {
		switch strings.ToLower(a) {
		case "server", "workspace", "all-channels":
			server = true
		case "week", "weekly", "7d":
			period = PeriodWeek
		case "month", "monthly", "30d":
			period = PeriodMonth
		case "all", "ever", "alltime", "all-time":
			period = PeriodAll
		default:
			return false, "", false
		}
	}
	return server, period, true
}

func (b *Bot) leaderboardCommand(ctx context.Context, ev Event, args []string) {
	if ev.Conv.DM {
		b.reply(ctx, ev, MsgInfo, "", "Leaderboards belong to channels: ask with `leaderboard` in a channel that has a drill. Your own progress is in `stats`.")
		return
	}
	scope := Scope{Conv: Conversation{Platform: ev.Conv.Platform, ID: ev.Conv.ID, Guild: ev.Conv.Guild}}
	server, period, ok := parseLeaderboard(args)
	if !ok {
		b.reply(ctx, ev, MsgInfo, "", "Say `leaderboard`, `leaderboard week`, `leaderboard all` or `leaderboard server month`.")
		return
	}
	if server && ev.Conv.Guild == "" {
		b.reply(ctx, ev, MsgInfo, "", "I can't tell which server this channel belongs to, so here is the channel's leaderboard.")
		server = false
	}
	scope.Server = server
	board, err := b.Leaderboard(ctx, scope, period)
	if err != nil {
		b.log.Error("leaderboard", "conv", ev.Conv.ID, "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't load the leaderboard just now. Please try again in a moment.")
		return
	}
	b.send(ctx, Message{Kind: MsgStats, Conv: Conversation{Platform: ev.Conv.Platform, ID: ev.Conv.ID, Thread: ev.Conv.Thread, Guild: ev.Conv.Guild},
		To: ev.User, Title: "Leaderboard", Text: board.Text(10)})
}
