package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"
)

func series(n int) []Point {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	out := make([]Point, n)
	for i := range out {
		score := 30 + (i*37)%65
		out[i] = Point{Time: start.Add(time.Duration(i) * 19 * time.Hour), Score: score, Pass: score >= 60}
	}
	return out
}

func decode(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode png: %v", err)
	}
	return img
}

// colours counts the distinct colours of img; a blank picture has one.
func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

func TestScoresDrawsASmallNonBlankPNG(t *testing.T) {
	for _, n := range []int{2, 30, 500} {
		data, err := Scores(series(n), 60, time.UTC)
		if err != nil {
			t.Fatalf("%d points: %v", n, err)
		}
		img := decode(t, data)
		if got := img.Bounds().Size(); got != (image.Point{Width, Height}) {
			t.Errorf("%d points: size %v, want %dx%d", n, got, Width, Height)
		}
		if len(data) > 60_000 {
			t.Errorf("%d points: %d bytes, want under 60 KB", n, len(data))
		}
		if c := colours(img); c < 10 {
			t.Errorf("%d points: %d colours; the chart looks blank", n, c)
		}
		// The pass and fail colours must both be drawn somewhere.
		var green, red bool
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				green = green || (r>>8 == 46 && g>>8 == 204 && bl>>8 == 113)
				red = red || (r>>8 == 231 && g>>8 == 76 && bl>>8 == 60)
			}
		}
		if !green || !red {
			t.Errorf("%d points: pass dots drawn %v, fail marks drawn %v; want both", n, green, red)
		}
	}
}

func TestScoresIsDeterministic(t *testing.T) {
	a, err := Scores(series(20), 60, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Scores(series(20), 60, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two charts of the same scores differ")
	}
}

func TestScoresNeedsTwoPoints(t *testing.T) {
	for _, n := range []int{0, 1} {
		if _, err := Scores(series(n), 60, nil); !errors.Is(err, ErrTooFew) {
			t.Errorf("%d points: got %v, want ErrTooFew", n, err)
		}
	}
}

func TestScoresSameDay(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	data, err := Scores([]Point{{at, 40, false}, {at, 70, true}}, 60, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if c := colours(decode(t, data)); c < 10 {
		t.Errorf("%d colours; the chart looks blank", c)
	}
}

func BenchmarkScores(b *testing.B) {
	pts := series(200)
	for b.Loop() {
		if _, err := Scores(pts, 60, time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDayTicksMarkEachDaysFirstAnswer(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	day1 := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC) // 23:00 in Berlin
	pts := []Point{{Time: day1}, {Time: day1.Add(30 * time.Minute)}, {Time: day1.Add(90 * time.Minute)}, {Time: day1.Add(26 * time.Hour)}}
	var got []string
	for _, tk := range dayTicks(pts, berlin) {
		got = append(got, fmt.Sprintf("%v:%s", tk.Value, tk.Label))
	}
	// 22:00 and 22:30 UTC are March 1 in Berlin; 23:30 UTC is already March 2 there.
	if want := "0:Mar 1 2:Mar 2 3:Mar 3"; strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}

	labelled := 0
	for _, tk := range dayTicks(series(200), time.UTC) {
		if tk.Label != "" {
			labelled++
		}
	}
	if labelled == 0 || labelled > maxDayLabels {
		t.Errorf("got %d labelled days, want 1 to %d", labelled, maxDayLabels)
	}
}

// TestDayLabelsDoNotOverlap: ten days with one answer each, then thirty answers in one
// evening: the first ten days take a quarter of the axis, and their dates ran together
// ("Nov 10Nov 12Nov 14"). Written labels now stand at least labelGap apart.
func TestDayLabelsDoNotOverlap(t *testing.T) {
	start := time.Date(2026, 11, 10, 18, 0, 0, 0, time.UTC)
	var pts []Point
	for i := range 40 {
		at := start.Add(time.Duration(i) * 24 * time.Hour)
		if i >= 10 {
			at = start.Add(10*24*time.Hour + time.Duration(i-10)*time.Minute)
		}
		pts = append(pts, Point{Time: at, Score: 50})
	}
	var at []float64
	for _, tk := range dayTicks(pts, time.UTC) {
		if tk.Label != "" {
			at = append(at, tk.Value)
		}
	}
	if len(at) < 2 {
		t.Fatalf("got %d labelled days, want the first and the burst's at least", len(at))
	}
	for k := 1; k < len(at); k++ {
		if px := (at[k] - at[k-1]) / float64(len(pts)) * plotWidth; px < labelGap {
			t.Errorf("labels at answers %v and %v stand %.0f points apart, want at least %.0f", at[k-1], at[k], px, labelGap)
		}
	}
}
