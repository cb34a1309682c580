package console

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/quorum-dev/quorum/bot"
)

// WriteFile writes an attachment to path (dir/f.Name when path is a folder or empty),
// readable only by its owner since it may hold personal data, and returns where it went.
func WriteFile(path string, f bot.File) (string, error) {
	if path == "" {
		path = f.Name
	} else if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, f.Name)
	}
	if err := os.WriteFile(path, f.Data, 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", f.Name, err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return path, nil
}

// saveFiles writes a message's attachments into the current folder and says where,
// since a terminal cannot show them.
func saveFiles(msg bot.Message, opts Options) {
	for _, f := range msg.Files {
		path, err := WriteFile(opts.FileDir, f)
		if err != nil {
			fmt.Fprintf(opts.Err, "Couldn't save %s: %v\n", f.Name, err)
			continue
		}
		fmt.Fprintf(opts.Err, "Saved %s\n", path)
	}
}
