// Package chart draws a person's scores over time as a PNG, with gonum.org/v1/plot:
// pure Go, no cgo, and the same picture for the same scores.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Size of the picture in pixels.
const (
	Width  = 800
	Height = 400
)

// MovingWindow is how many graded answers the moving average spans.
const MovingWindow = 5

// legendWidth is the strip on the right that holds the legend.
const legendWidth = vg.Length(150)

// MaxPoints is how many of the latest answers a chart shows: more would crowd the
// picture and push the PNG past 60 KB.
const MaxPoints = 200

// Point is one graded answer.
type Point struct {
	Time  time.Time
	Score int
	Pass  bool
}

// ErrTooFew means there are fewer than two points: no line to draw.
var ErrTooFew = errors.New("a chart needs at least two graded answers")

// Scores draws points (oldest first) as dots, green for a pass and red for a fail, a
// line for the moving average of the last MovingWindow scores, and a dashed line at
// passScore. Answers are spaced evenly, one step each, so a burst of practice in one
// hour stays readable; the x axis marks the date (in loc) where each day's first
// answer is. It shows the latest MaxPoints answers and returns the PNG.
func Scores(points []Point, passScore int, loc *time.Location) ([]byte, error) {
	if len(points) < 2 {
		return nil, ErrTooFew
	}
	if loc == nil {
		loc = time.UTC
	}
	avg := make(plotter.XYs, len(points))
	sum := 0
	for i, pt := range points {
		sum += pt.Score
		if i >= MovingWindow {
			sum -= points[i-MovingWindow].Score
		}
		avg[i] = plotter.XY{Y: float64(sum) / float64(min(i+1, MovingWindow))}
	}
	if n := len(points); n > MaxPoints {
		points, avg = points[n-MaxPoints:], avg[n-MaxPoints:]
	}
	for i := range avg {
		avg[i].X = float64(i)
	}

	p := plot.New()
	p.Title.Text = "Scores over time"
	p.Y.Label.Text = "score"
	p.Y.Min, p.Y.Max = 0, 100
	p.Y.Tick.Marker = plot.ConstantTicks(ticks(0, 100, 20, "%.0f"))
	p.Add(plotter.NewGrid())

	p.X.Min, p.X.Max = -0.5, float64(len(points))-0.5
	p.X.Tick.Marker = plot.ConstantTicks(dayTicks(points, loc))
	p.X.Label.Text = "answers, oldest first"

	pass := plotter.XYs{{X: p.X.Min, Y: float64(passScore)}, {X: p.X.Max, Y: float64(passScore)}}
	passLine, err := plotter.NewLine(pass)
	if err != nil {
		return nil, fmt.Errorf("pass line: %w", err)
	}
	passLine.Color = color.RGBA{R: 120, G: 120, B: 120, A: 255}
	passLine.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
	passLine.Width = vg.Points(1)

	avgLine, err := plotter.NewLine(avg)
	if err != nil {
		return nil, fmt.Errorf("moving average: %w", err)
	}
	avgLine.Color = color.RGBA{R: 52, G: 101, B: 164, A: 255}
	avgLine.Width = vg.Points(2)

	var passed, failed plotter.XYs
	for i, pt := range points {
		xy := plotter.XY{X: float64(i), Y: float64(pt.Score)}
		if pt.Pass {
			passed = append(passed, xy)
		} else {
			failed = append(failed, xy)
		}
	}
	p.Add(passLine, avgLine)
	// The legend goes beside the plot, where it never hides a point.
	legend := plot.NewLegend()
	legend.Add(fmt.Sprintf("pass line (%d)", passScore), passLine)
	legend.Add(fmt.Sprintf("average of last %d", MovingWindow), avgLine)
	for _, set := range []struct {
		xys   plotter.XYs
		name  string
		color color.Color
		shape draw.GlyphDrawer
	}{
		{passed, "PASS", color.RGBA{R: 46, G: 204, B: 113, A: 255}, draw.CircleGlyph{}},
		{failed, "FAIL", color.RGBA{R: 231, G: 76, B: 60, A: 255}, draw.BoxGlyph{}},
	} {
		if len(set.xys) == 0 {
			continue
		}
		s, err := plotter.NewScatter(set.xys)
		if err != nil {
			return nil, fmt.Errorf("points: %w", err)
		}
		s.GlyphStyle.Color, s.GlyphStyle.Shape, s.GlyphStyle.Radius = set.color, set.shape, vg.Points(3.5)
		p.Add(s)
		legend.Add(set.name, s)
	}
	legend.Top, legend.Left = true, true
	legend.YOffs = -vg.Points(30)
	legend.Padding = vg.Points(6)

	// vgimg's default resolution is 72 dpi, so one point is one pixel.
	c := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(vg.Length(Width), vg.Length(Height)), vgimg.UseDPI(72), vgimg.UseBackgroundColor(color.White))}
	dc := draw.New(c)
	p.Draw(draw.Crop(dc, 0, -legendWidth, 0, 0))
	legend.Draw(draw.Crop(dc, vg.Length(Width)-legendWidth+vg.Points(8), 0, 0, 0))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

func ticks(from, to, step float64, format string) []plot.Tick {
	var out []plot.Tick
	for v := from; v <= to; v += step {
		out = append(out, plot.Tick{Value: v, Label: fmt.Sprintf(format, v)})
	}
	return out
}

// dayTicks marks the first answer of each day (in loc) with its date. A date is written
// only where it stands far enough from the last one written (labelGap, and at most
// maxDayLabels over the axis): the axis counts answers, not days, so ten days of one
// answer each followed by thirty answers in one evening put ten ticks in a quarter of it.
// The rest keep an unlabelled tick.
func dayTicks(points []Point, loc *time.Location) []plot.Tick {
	var firsts []int
	prev := ""
	for i, pt := range points {
		if day := pt.Time.In(loc).Format("2006-01-02"); day != prev {
			firsts, prev = append(firsts, i), day
		}
	}
	format := "Jan 2"
	if points[0].Time.In(loc).Year() != points[len(points)-1].Time.In(loc).Year() {
		format = "Jan 2 2006"
	}
	gap := labelGap
	if format != "Jan 2" {
		gap *= 1.6 // the year makes the label longer
	}
	n := float64(len(points))
	minGap := max(n*gap/plotWidth, n/maxDayLabels) // in answers
	out := make([]plot.Tick, len(firsts))
	last := -1.0
	for k, i := range firsts {
		out[k].Value = float64(i)
		if last < 0 || float64(i)-last >= minGap {
			out[k].Label = points[i].Time.In(loc).Format(format)
			last = float64(i)
		}
	}
	return out
}

const (
	maxDayLabels = 8
	// labelGap is the room a "Jan 2" label needs on the axis, and plotWidth about how wide
	// the axis is (the chart less the legend and the score axis), both in points.
	labelGap  = 64.0
	plotWidth = float64(Width) - float64(legendWidth) - 60
)
