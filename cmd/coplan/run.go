package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

const usage = `usage: coplan <command> [flags]

commands:
  serve     serve the API and pages (--demo fills an empty database with example data)
  user      invite, list, disable or enable the people who sign in
  token     create, list or revoke API tokens
  plan      plan groups and sessions from a file: --in input.json --out plan.json
  capacity  forecast groups, hours and rooms from a plan file: --in input.json [--period week|month]
  publish   render every calendar feed now (one publication run)
  import    import a CSV of babies (ref,birth_date|expected_date,location,language), all or nothing
  remind    run the survey reminder job once and send the outbox (--dry-run: only print)
  help      show this text; "coplan help COMMAND" or "coplan COMMAND --help" shows one command

Configuration comes from the environment (COPLAN_ADDR, COPLAN_DATABASE_URL,
COPLAN_BASE_URL, COPLAN_SECRET, ...); see the README.`

// errUsage is returned for a wrong command line; run prints the usage with it.
var errUsage = errors.New("wrong usage")

// run is the whole program: args as os.Args, getenv as os.Getenv.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprintln(stderr, usage)
		return errUsage
	}
	cmd, rest := args[1], args[2:]
	if cmd == "help" && len(rest) > 0 {
		return commandHelp(rest[0], stdout, stderr)
	}
	for _, a := range rest {
		if a == "-h" || a == "-help" || a == "--help" {
			return commandHelp(cmd, stdout, stderr)
		}
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, rest, getenv, stdout, stderr)
	case "token":
		err = token(ctx, rest, getenv, stdout, stderr)
	case "user":
		err = user(ctx, rest, getenv, stdout, stderr)
	case "publish":
		err = publish(ctx, rest, getenv, stdout, stderr)
	case "import":
		err = importCmd(ctx, rest, getenv, stdout, stderr)
	case "remind":
		err = remind(ctx, rest, getenv, stdout, stderr)
	case "plan":
		err = planCmd(ctx, rest, os.Stdin, stdout, stderr)
	case "capacity":
		err = capacityCmd(ctx, rest, os.Stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s\n", cmd, usage)
		return errUsage
	}
	if errors.Is(err, errUsage) && !strings.Contains(err.Error(), ":") {
		fmt.Fprintln(stderr, usage)
	}
	return err
}

// commandUsages are the commands that have more to say than the overview.
var commandUsages = map[string]string{"token": tokenUsage, "user": userUsage}

// commandHelp prints a command's usage: its own text, or its flags.
func commandHelp(cmd string, stdout, stderr io.Writer) error {
	if u, ok := commandUsages[cmd]; ok {
		fmt.Fprintln(stdout, u)
		return nil
	}
	for _, line := range strings.Split(usage, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == cmd {
			fmt.Fprintf(stdout, "usage: coplan %s [flags]\n\n%s\n\nConfiguration comes from the environment; see the README.\n", cmd, strings.TrimSpace(line))
			return nil
		}
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s\n", cmd, usage)
	return errUsage
}
