package bot

import "testing"

func TestHeard(t *testing.T) {
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"", false},
		{"  ", false},
		{"Thank you.", false},
		{"Thank you. Thank you.", false},
		{"Thank you thank you thank you", false},
		{"you", false},
		{"You you.", false},
		{"Thanks for watching! Please subscribe.", false},
		{"Subtitles by the Amara.org community", false},
		{"ご視聴ありがとうございました", false},
		{"ご視聴ありがとうございました。ご視聴ありがとうございました。", false},
		{"시청해 주셔서 감사합니다.", false},
		{"谢谢观看！", false},
		{"Vielen Dank fürs Zuschauen!", false},
		{"¡Gracias por ver!", false},
		{"Untertitel der Amara.org-Community", false},
		{"Raft elects a leader with terms. Thank you.", true},
		{"Thank you for the question. Raft splits time into terms.", true},
		{"You need a majority.", true},
		{"Quorum", true},
	} {
		if got := Heard(Transcript{Text: tt.text}); got != tt.want {
			t.Errorf("Heard(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
	if Heard(Transcript{Text: "Raft elects a leader with terms.", NoSpeech: true}) {
		t.Error("a transcript marked as no speech was heard")
	}
}
