package slack_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"strings"
	"testing"

	"github.com/quorum-dev/quorum/adapters/slack/slacktest"
	"github.com/quorum-dev/quorum/bot"
)

func TestStatsUploadTheChart(t *testing.T) {
	h := newHarness(t, options{})
	dm := slacktest.Message{User: "U1", Channel: "DU1", ChannelType: "im"}
	say := func(text string) slacktest.Call {
		t.Helper()
		m := dm
		m.Text = text
		h.srv.Post(m)
		return h.srv.Wait(t, "chat.postMessage", in("DU1", ""))
	}
	say("stats")
	if n := len(h.srv.Calls("files.getUploadURLExternal")); n != 0 {
		t.Fatalf("got %d uploads with no answers, want none", n)
	}
	say("practice consensus")
	say(goodAnswer)
	say("practice")
	say("Quorums overlap, so reads see writes.")

	c := say("stats")
	if !strings.Contains(allText(c), "Chart: "+bot.ChartName) {
		t.Fatalf("stats text lacks the chart line:\n%s", allText(c))
	}
	u := h.srv.WaitUpload(t, nil)
	if u.Name != bot.ChartName || u.Channel != "DU1" || u.Thread != "" {
		t.Fatalf("got upload %q to %s/%s, want %s in DU1", u.Name, u.Channel, u.Thread, bot.ChartName)
	}
	img, err := png.Decode(bytes.NewReader(u.Data))
	if err != nil {
		t.Fatalf("upload is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 400 {
		t.Fatalf("chart is %dx%d, want 800x400", b.Dx(), b.Dy())
	}
	for _, call := range h.srv.Calls("files.getUploadURLExternal") {
		if call.Token != slacktest.BotToken {
			t.Errorf("upload step with token %q, want the bot token", call.Token)
		}
	}
}

func TestEphemeralStatsDropTheChart(t *testing.T) {
	h := newHarness(t, options{ephemeral: true})
	dm := slacktest.Message{User: "U1", Channel: "DU1", ChannelType: "im"}
	for _, text := range []string{"practice consensus", goodAnswer, "practice", "Quorums overlap, so reads see writes."} {
		m := dm
		m.Text = text
		h.srv.Post(m)
		h.srv.Wait(t, "chat.postMessage", in("DU1", ""))
	}
	h.srv.Slash("U1", "C1", "stats")
	c := h.srv.Wait(t, "chat.postEphemeral", nil)
	if !strings.Contains(allText(c), "Chart: "+bot.ChartName) {
		t.Fatalf("got %q", allText(c))
	}
	if n := len(h.srv.Calls("files.getUploadURLExternal")); n != 0 {
		t.Fatalf("got %d uploads for an ephemeral message, want none (Slack has no ephemeral files)", n)
	}
}

func TestExportUploadsInDMOnly(t *testing.T) {
	h := newHarness(t, options{})
	for _, text := range []string{"practice consensus", goodAnswer} {
		h.srv.Post(slacktest.Message{User: "U1", Channel: "DU1", ChannelType: "im", Text: text})
		h.srv.Wait(t, "chat.postMessage", in("DU1", ""))
	}
	h.srv.Slash("U1", "C1", "export")
	if c := h.srv.Wait(t, "chat.postMessage", in("C1", "")); !strings.Contains(allText(c), "only send your data in a direct message") {
		t.Fatalf("export in a channel: got %q", allText(c))
	}
	h.srv.Slash("U1", "DU1", "export")
	if c := h.srv.Wait(t, "chat.postMessage", in("DU1", "")); !strings.Contains(allText(c), "quorum-export-") {
		t.Fatalf("export in the DM: got %q", allText(c))
	}
	u := h.srv.WaitUpload(t, nil)
	if !strings.HasPrefix(u.Name, "quorum-export-") || u.Channel != "DU1" {
		t.Fatalf("got upload %q to %s, want the export in DU1", u.Name, u.Channel)
	}
	var d bot.PersonalData
	if err := json.Unmarshal(u.Data, &d); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if d.User != "slack:U1" || len(d.Attempts) != 1 || d.Attempts[0].Answer != goodAnswer {
		t.Fatalf("got %s with %d attempts", d.User, len(d.Attempts))
	}
	if n := len(h.srv.Uploads()); n != 1 {
		t.Fatalf("got %d uploads, want only the DM's export", n)
	}
}
