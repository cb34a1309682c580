package slack

import (
	"bytes"
	"context"

	slackgo "github.com/slack-go/slack"

	"github.com/quorum-dev/quorum/bot"
)

// uploadFiles shares m's files into its conversation (and thread) after its text, with
// Slack's three-step upload: files.getUploadURLExternal, the bytes to that URL, and
// files.completeUploadExternal. A failed upload is logged, not returned: the message
// itself was delivered and its text is complete without the file.
func (a *Adapter) uploadFiles(ctx context.Context, m bot.Message) {
	for _, f := range m.Files {
		if len(f.Data) == 0 {
			continue
		}
		err := a.retry(ctx, "files.upload", func(ctx context.Context) error {
			_, err := a.api.UploadFileContext(ctx, slackgo.UploadFileParameters{
				Reader: bytes.NewReader(f.Data), FileSize: len(f.Data), Filename: f.Name, Title: f.Name,
				Channel: m.Conv.ID, ThreadTimestamp: m.Conv.Thread,
			})
			return err
		})
		switch {
		case err == nil:
		case slackError(err) == "missing_scope":
			// An app installed from an older manifest: say once how to fix it, not on every stats.
			a.scopeOnce.Do(func() {
				a.log.Warn("files are not sent: the app lacks the files:write scope; add it (adapters/slack/manifest.yaml) and reinstall the app")
			})
			return
		default:
			a.log.Error("upload file", "channel", m.Conv.ID, "file", f.Name, "err", slackError(err))
		}
	}
}
