package console

import (
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot/bottest"
)

// TestEditorKeys: a bracketed paste is text, blank lines and all, and never submits (a
// pasted answer was graded on its first paragraph); arrow keys and other escape
// sequences are ignored (they put "[D[A" in the answer); Tab is a space (it was dropped).
func TestEditorKeys(t *testing.T) {
	tests := []struct{ name, input, want string }{
		{"paste keeps paragraphs", "\x1b[200~para one\r\rpara two\r\x1b[201~\r", "para one\n\npara two"},
		{"paste with CR LF", "\x1b[200~one\r\n\r\ntwo\x1b[201~\r\r", "one\n\ntwo"},
		{"typing after a paste", "\x1b[200~pasted\x1b[201~ typed\r\r", "pasted typed"},
		{"ctrl-d in a paste is not the end", "\x1b[200~a\x04b\x1b[201~\x04", "ab"},
		{"arrows ignored", "ab\x1b[D\x1b[Ac\x1bOD\x1b[1;5C\x1b[3~\n\n", "abc"},
		{"tab is a space", "a\tb\n\n", "a b"},
		{"alt-key keeps the key", "\x1bx\n\n", "x"},
	}
	for _, tt := range tests {
		var out bottest.Buffer
		ed := &Editor{Keys: NewKeyReader(strings.NewReader(tt.input)), Out: &out, Remaining: func() time.Duration { return time.Minute }, Tick: time.Hour}
		res, err := ed.Read(nil)
		if err != nil || res.Text != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, res.Text, err, tt.want)
		}
		if o := out.String(); !strings.HasPrefix(o, pasteOn) || !strings.HasSuffix(o, pasteOff) {
			t.Errorf("%s: bracketed paste not turned on, then off: %q", tt.name, o)
		}
	}
}

// TestEditorRedrawCountsColumns: wide (CJK) characters take two columns, so the redraw
// goes up over every row the line wrapped to; counting runes it went up too few and
// reprinted the line at each tick.
func TestEditorRedrawCountsColumns(t *testing.T) {
	var out bottest.Buffer
	ed := &Editor{Out: &out, Width: 10, Remaining: func() time.Duration { return 2*time.Minute + 41*time.Second }}
	ed.cur = []rune("日本語の答え") // 12 columns after the 9 of "[2:41] › "
	ed.redraw()
	ed.redraw()
	if !strings.Contains(out.String(), "\x1b[2A") {
		t.Fatalf("got %q, want the redraw to go up 2 rows", out.String())
	}
	if got := columns("[2:41] › 日本語"); got != 15 {
		t.Errorf("columns = %d, want 15", got)
	}
}
