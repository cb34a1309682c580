#!/usr/bin/env bash
# Regenerates the spoken-answer fixtures. Run once by hand when they need to change;
# the generated files are committed, so tests need none of these tools.
# Needs: espeak-ng, ffmpeg, opusenc (Debian: apt-get install espeak-ng ffmpeg opus-tools).
set -euo pipefail
cd "$(dirname "$0")"
text="Um, so Raft elects a leader with terms. Each server votes once per term, and a candidate needs a majority of votes."
espeak-ng -s 150 -w /tmp/quorum-answer-22k.wav "$text"
# WAV: 8 kHz mono 16-bit keeps it small.
ffmpeg -loglevel error -y -i /tmp/quorum-answer-22k.wav -ar 8000 -ac 1 -sample_fmt s16 answer.wav
# OGG/Opus, as a Discord voice message.
opusenc --quiet --bitrate 12 answer.wav answer.ogg
# M4A (AAC in MP4), as a Slack audio clip.
ffmpeg -loglevel error -y -i answer.wav -c:a aac -b:a 24k answer.m4a
# Three seconds of silence, as OGG/Opus.
ffmpeg -loglevel error -y -f lavfi -i anullsrc=r=8000:cl=mono -t 3 -c:a libopus -b:a 8k silence.ogg
rm -f /tmp/quorum-answer-22k.wav
ls -l answer.wav answer.ogg answer.m4a silence.ogg
