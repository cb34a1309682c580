package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/quorum-dev/quorum/bot/chart"
)

// DefaultPassScore is the overall score a pass needs, drawn as the chart's pass line.
const DefaultPassScore = 60

// TrendWindow is how many recent graded answers the trend compares with as many before.
const TrendWindow = 10

// trendSteady is how far apart (in points) the two windows may be and still be "steady".
const trendSteady = 5

// ChartName is the stats chart's file name.
const ChartName = "quorum-stats.png"

// Dimensions are the average scores of graded answers on the verdict's four dimensions.
type Dimensions struct {
	Content, Clarity, Confidence, Delivery float64
	// N is how many graded answers the averages cover.
	N int
}

// Trend compares the mean score of the latest graded answers with the same number before them.
type Trend struct {
	// Window is how many answers each mean covers: TrendWindow, or half the graded
	// answers when there are fewer than 2×TrendWindow. Zero means too few for a trend.
	Window          int
	Recent, Earlier float64
}

// Delta is the recent mean minus the earlier one, rounded to whole points.
func (t Trend) Delta() int { return int(math.Round(t.Recent - t.Earlier)) }

// Word says the trend: "up 12 points", "down 7 points" or "steady" (within 4 points).
func (t Trend) Word() string {
	d := t.Delta()
	switch {
	case t.Window == 0:
		return "not enough answers yet"
	case d >= trendSteady:
		return "up " + countNoun(d, "point")
	case d <= -trendSteady:
		return "down " + countNoun(-d, "point")
	}
	return "steady"
}

// graded returns the attempts that have a verdict (graded on time or late), by when
// they were answered. Timeouts and skips have no score to chart or average.
func graded(attempts []*Attempt) []*Attempt {
	var out []*Attempt
	for _, a := range attempts {
		if a.Verdict != nil && (a.Outcome == OutcomeGraded || a.Outcome == OutcomeLate) {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Answered.Before(out[j].Answered) })
	return out
}

// DimensionAverages averages the four dimensions over the graded attempts.
func DimensionAverages(attempts []*Attempt) Dimensions {
	var d Dimensions
	for _, a := range graded(attempts) {
		s := a.Verdict.Scores
		d.Content += float64(s.Content)
		d.Clarity += float64(s.Clarity)
		d.Confidence += float64(s.Confidence)
		d.Delivery += float64(s.Delivery)
		d.N++
	}
	if d.N > 0 {
		n := float64(d.N)
		d.Content, d.Clarity, d.Confidence, d.Delivery = d.Content/n, d.Clarity/n, d.Confidence/n, d.Delivery/n
	}
	return d
}

// ScoreTrend is the trend of the graded attempts' scores: with n of them, the window w
// is min(TrendWindow, n/2), and the trend compares the mean of the last w scores with
// the mean of the w before. Fewer than 4 graded attempts give no trend (Window 0).
func ScoreTrend(attempts []*Attempt) Trend {
	g := graded(attempts)
	w := min(TrendWindow, len(g)/2)
	if w < 2 {
		return Trend{}
	}
	mean := func(as []*Attempt) float64 {
		sum := 0
		for _, a := range as {
			sum += a.Score
		}
		return float64(sum) / float64(len(as))
	}
	n := len(g)
	return Trend{Window: w, Recent: mean(g[n-w:]), Earlier: mean(g[n-2*w : n-w])}
}

// statsLocation is where the person's days are counted: their daily question's timezone, else UTC.
func (b *Bot) statsLocation(ctx context.Context, u User) *time.Location {
	if d, err := b.dailyOf(ctx, u); err == nil && d != nil {
		if l, err := time.LoadLocation(d.TZ); err == nil {
			return l
		}
	}
	return time.UTC
}

// StatsMessage renders a person's progress: attempts and pass rates (overall and by
// topic), the four dimension averages, the trend, the streak, and a PNG chart of the
// scores over time in Files once there are two graded answers. Text is complete
// without the chart; Fields carry the headline numbers.
func (b *Bot) StatsMessage(ctx context.Context, u User, conv Conversation) (Message, error) {
	return b.statsMessage(ctx, u, conv, true)
}

// StatsSummary is StatsMessage without the chart, for places that show only text
// (Slack's App Home): drawing the chart is most of the cost.
func (b *Bot) StatsSummary(ctx context.Context, u User, conv Conversation) (Message, error) {
	return b.statsMessage(ctx, u, conv, false)
}

func (b *Bot) statsMessage(ctx context.Context, u User, conv Conversation, withChart bool) (Message, error) {
	attempts, err := b.store.Attempts(ctx, u.Key())
	if err != nil {
		return Message{}, fmt.Errorf("load attempts: %w", err)
	}
	msg := Message{Kind: MsgStats, Conv: conv, To: u, Title: "Your progress"}
	if len(attempts) == 0 {
		msg.Text = "No attempts yet. Say `practice` to answer your first question."
		return msg, nil
	}
	total, rows := Stats(attempts)
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s, %d passed (%d%%), average score %.0f", countNoun(total.Attempts, "attempt"), total.Passed, total.PassRate(), total.AvgScore)
	if total.Skipped > 0 {
		fmt.Fprintf(&sb, "; %d skipped", total.Skipped)
	}
	sb.WriteString("\n\n")
	w := len("topic")
	for _, r := range rows {
		w = max(w, len(r.Topic))
	}
	fmt.Fprintf(&sb, "%-*s  %8s  %6s  %9s  %9s\n", w, "topic", "attempts", "passed", "pass rate", "avg score")
	for _, r := range rows {
		rate, avg := "-", "-"
		if r.Attempts > 0 {
			rate, avg = fmt.Sprintf("%d%%", r.PassRate()), fmt.Sprintf("%.0f", r.AvgScore)
		}
		fmt.Fprintf(&sb, "%-*s  %8d  %6d  %9s  %9s\n", w, r.Topic, r.Attempts, r.Passed, rate, avg)
	}
	msg.Fields = []Field{
		{"Attempts", fmt.Sprint(total.Attempts)},
		{"Pass rate", fmt.Sprintf("%d%%", total.PassRate())},
		{"Average score", fmt.Sprintf("%.0f", total.AvgScore)},
	}

	dims := DimensionAverages(attempts)
	if dims.N > 0 {
		fmt.Fprintf(&sb, "\nDimensions (average of %s): content %.0f · clarity %.0f · confidence %.0f · delivery %.0f",
			countNoun(dims.N, "graded answer"), dims.Content, dims.Clarity, dims.Confidence, dims.Delivery)
		msg.Fields = append(msg.Fields,
			Field{"Content", fmt.Sprintf("%.0f", dims.Content)}, Field{"Clarity", fmt.Sprintf("%.0f", dims.Clarity)},
			Field{"Confidence", fmt.Sprintf("%.0f", dims.Confidence)}, Field{"Delivery", fmt.Sprintf("%.0f", dims.Delivery)})
	} else {
		sb.WriteString("\nDimensions: none yet; they come from graded answers.")
	}

	trend := ScoreTrend(attempts)
	if trend.Window > 0 {
		fmt.Fprintf(&sb, "\nTrend: %s (your last %s average %.0f; the %d before, %.0f).",
			trend.Word(), countNoun(trend.Window, "graded answer"), trend.Recent, trend.Window, trend.Earlier)
	} else {
		fmt.Fprintf(&sb, "\nTrend: not yet; it needs 4 graded answers (you have %d).", dims.N)
	}
	msg.Fields = append(msg.Fields, Field{"Trend", trend.Word()})

	loc := b.statsLocation(ctx, u)
	current, best := Streak(attempts, loc, b.clock.Now())
	fmt.Fprintf(&sb, "\nStreak: %s in a row (best %s), counted in %s.", countNoun(current, "day"), countNoun(best, "day"), loc)
	msg.Fields = append(msg.Fields, Field{"Streak", fmt.Sprintf("%s (best %d)", countNoun(current, "day"), best)})
	if due, waiting := NewHistory(attempts).Reviews(b.clock.Now()); due+waiting > 0 {
		fmt.Fprintf(&sb, "\nReviews: %s you failed before due now (`practice` asks them first), %d more later.", countNoun(due, "question"), waiting)
		msg.Fields = append(msg.Fields, Field{"Reviews due", fmt.Sprint(due)})
	}
	last := attempts[len(attempts)-1]
	fmt.Fprintf(&sb, "\nLast attempt: %s (%s), %s", last.Question, last.Answered.In(loc).Format("2006-01-02 15:04"), outcomeWord(last))

	if !withChart {
		msg.Text = sb.String()
		return msg, nil
	}
	var points []chart.Point
	for _, a := range graded(attempts) {
		points = append(points, chart.Point{Time: a.Answered, Score: a.Score, Pass: a.Pass})
	}
	png, err := chart.Scores(points, b.passScore, loc)
	switch {
	case errors.Is(err, chart.ErrTooFew):
		fmt.Fprintf(&sb, "\nChart: none yet; it needs 2 graded answers (you have %d).", len(points))
	case err != nil:
		b.log.Error("draw stats chart", "user", u.Key(), "err", err)
		sb.WriteString("\nChart: I couldn't draw it this time.")
	default:
		fmt.Fprintf(&sb, "\nChart: %s, your scores over time (dots pass, squares fail, the line the average of your last %d, dashed the pass line at %d).",
			ChartName, chart.MovingWindow, b.passScore)
		msg.Files = []File{{Name: ChartName, ContentType: "image/png", Data: png}}
	}
	msg.Text = sb.String()
	return msg, nil
}
