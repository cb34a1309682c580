// Command quorum rehearses distributed-systems interviews: in the terminal
// (practice, grade, stats), and as a chat bot (run).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what a subcommand gets from the process.
type env struct {
	stdin          *os.File
	stdout, stderr io.Writer
}

// usageError is a mistake on the command line: the message and a hint are shown, exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const usage = `Quorum rehearses distributed-systems engineer interviews.

Usage:
  quorum practice [--topic T] [--difficulty easy|medium|hard] [--kind K] [--question ID] [--time-limit 3m] [--pack FILE] [--json]
  quorum grade --question ID [--answer-file FILE] [--pack FILE] [--json]
  quorum interview [--topic T] [--out report.md]
  quorum stats [--chart FILE | --no-chart]
  quorum export [--user platform:id] [--out FILE|-]
  quorum tailor [--resume FILE] [--jd FILE] [--json]
  quorum forget [--yes]
  quorum packs list [--pack FILE] [--topic T]
  quorum packs lint FILE...
  quorum run [--config FILE]
  quorum backup FILE
  quorum config
  quorum version

Every command takes --config FILE (default: quorum.yaml when present).
Run 'quorum COMMAND -h' for a command's flags.
`

// run is main without the process: it returns the exit status.
func run(ctx context.Context, args []string, stdin *os.File, stdout, stderr io.Writer) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "practice":
		err = cmdPractice(ctx, e, rest)
	case "grade":
		err = cmdGrade(ctx, e, rest)
	case "stats":
		err = cmdStats(ctx, e, rest)
	case "packs":
		err = cmdPacks(ctx, e, rest)
	case "run":
		err = cmdRun(ctx, e, rest)
	case "tailor":
		err = cmdTailor(ctx, e, rest)
	case "interview":
		err = cmdInterview(ctx, e, rest)
	case "forget":
		err = cmdForget(ctx, e, rest)
	case "backup":
		err = cmdBackup(ctx, e, rest)
	case "config":
		err = cmdConfig(ctx, e, rest)
	case "export":
		err = cmdExport(ctx, e, rest)
	case "version", "--version":
		fmt.Fprintf(stdout, "quorum %s\n", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "quorum: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "quorum: %s\n", ue.msg)
		return 2
	case errors.Is(err, errUsageReported):
		return 2
	case errors.Is(err, errSilent):
		return 1
	}
	fmt.Fprintf(stderr, "quorum: %s\n", oneLine(err))
	return 1
}

// errSilent ends a command with status 1 when it already told the person why.
var errSilent = errors.New("already reported")

// errUsageReported is a command-line mistake the flag package already printed, with
// the usage: status 2, as for every mistake on the command line.
var errUsageReported = errors.New("usage already reported")

// oneLine keeps the first error line for single-error messages, and the full list for lint-style lists.
func oneLine(err error) string {
	s := err.Error()
	if strings.Count(s, "\n") > 0 {
		return "\n" + s
	}
	return s
}

// newFlags returns a FlagSet for a subcommand with the shared --config flag.
func newFlags(e env, name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("quorum "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfg := fs.String("config", "", "config file (default: quorum.yaml when present)")
	return fs, cfg
}

// parseFlags parses args and refuses stray positional arguments unless allowed.
func parseFlags(fs *flag.FlagSet, args []string, positional bool) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsageReported // the flag package printed the problem and the usage
	}
	if !positional && fs.NArg() > 0 {
		return usagef("unexpected argument %q (flags go before arguments; see 'quorum %s -h')", fs.Arg(0), strings.TrimPrefix(fs.Name(), "quorum "))
	}
	return nil
}

// stringList is a flag that may be repeated.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// newLogger returns the process logger: to stderr, at the configured level and format.
func newLogger(w io.Writer, cfg *Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: redactor(cfg)}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
