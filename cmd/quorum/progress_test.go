package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/adapters/console"
	"github.com/quorum-dev/quorum/bot"
)

// practiced answers the test question twice through the CLI: two graded attempts.
func practiced(t *testing.T) string {
	t.Helper()
	cfg, _ := testConfig(t)
	for _, a := range []string{answer, "The node with the lowest id becomes leader."} {
		if code, _, errs := cli(t, "", a, "practice", "--config", cfg, "--question", "cli-test/raft-election"); code != 0 {
			t.Fatalf("practice: exit %d, %s", code, errs)
		}
	}
	return cfg
}

func TestStatsWritesTheChart(t *testing.T) {
	cfg := practiced(t)
	dir := t.TempDir()
	code, out, errs := cli(t, dir, "", "stats", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d, %s", code, errs)
	}
	path := filepath.Join(dir, bot.ChartName)
	if !strings.Contains(out, "Chart written to "+path) || !strings.Contains(out, "Trend: not yet") || !strings.Contains(out, "Dimensions (average of 2 graded answers)") {
		t.Fatalf("stats output:\n%s", out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if img, err := png.Decode(bytes.NewReader(data)); err != nil || img.Bounds().Dx() != 800 {
		t.Fatalf("chart: %v", err)
	}

	other := filepath.Join(t.TempDir(), "mine.png")
	// The text names the file written, not the default name.
	if code, out, _ := cli(t, dir, "", "stats", "--config", cfg, "--chart", other); code != 0 || !strings.Contains(out, "Chart written to "+other) ||
		!strings.Contains(out, "Chart: "+other+",") || strings.Contains(out, bot.ChartName) {
		t.Fatalf("--chart: exit %d\n%s", code, out)
	}
	// --no-chart: no file, and no text about one.
	empty := t.TempDir()
	if code, out, _ := cli(t, empty, "", "stats", "--config", cfg, "--no-chart"); code != 0 || strings.Contains(out, "Chart:") || strings.Contains(out, "Chart written") {
		t.Fatalf("--no-chart: exit %d\n%s", code, out)
	}
	if code, _, errs := cli(t, empty, "", "stats", "--config", cfg, "--no-chart", "--chart", "a.png"); code != 2 || !strings.Contains(errs, "not both") {
		t.Fatalf("--no-chart --chart: exit %d, %s", code, errs)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Fatalf("--no-chart wrote %v", entries)
	}
}

func TestExportCommand(t *testing.T) {
	cfg := practiced(t)
	dir := t.TempDir()
	code, out, errs := cli(t, dir, "", "export", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d, %s", code, errs)
	}
	path := filepath.Join(dir, bot.ExportFileName(time.Now().UTC()))
	if !strings.Contains(out, "to "+path) {
		t.Fatalf("output %q, want the path %s", out, path)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("export mode %v, want 0600: it is personal data", st.Mode().Perm())
	}
	var d bot.PersonalData
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if d.User != console.User().Key() || len(d.Attempts) != 2 || d.Attempts[0].Answer != answer {
		t.Fatalf("got %s with %d attempts", d.User, len(d.Attempts))
	}

	code, out, _ = cli(t, dir, "", "export", "--config", cfg, "--out", "-", "--user", "discord:42")
	if err := json.Unmarshal([]byte(out), &d); code != 0 || err != nil || d.User != "discord:42" || len(d.Attempts) != 0 {
		t.Fatalf("--user discord:42 --out -: exit %d, %v, %s with %d attempts", code, err, d.User, len(d.Attempts))
	}
	if code, _, errs := cli(t, dir, "", "export", "--config", cfg, "--user", "bob"); code != 2 || !strings.Contains(errs, "must be platform:id") {
		t.Fatalf("bad --user: exit %d, %s", code, errs)
	}
}
