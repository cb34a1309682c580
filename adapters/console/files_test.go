package console

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quorum-dev/quorum/bot"
)

func TestSaveFilesWritesAttachmentsAndSaysWhere(t *testing.T) {
	dir := t.TempDir()
	var errb bytes.Buffer
	msg := bot.Message{Text: "stats", Files: []bot.File{{Name: "quorum-stats.png", ContentType: "image/png", Data: []byte("\x89PNG")}}}
	saveFiles(msg, Options{Err: &errb, FileDir: dir})
	path := filepath.Join(dir, "quorum-stats.png")
	if got, err := os.ReadFile(path); err != nil || string(got) != "\x89PNG" {
		t.Fatalf("got %q, %v", got, err)
	}
	if !strings.Contains(errb.String(), "Saved "+path) {
		t.Fatalf("got %q, want the path", errb.String())
	}
	errb.Reset()
	saveFiles(msg, Options{Err: &errb, FileDir: filepath.Join(dir, "missing", "x.png")})
	if !strings.Contains(errb.String(), "Couldn't save quorum-stats.png") {
		t.Fatalf("got %q, want a clear failure", errb.String())
	}
}
