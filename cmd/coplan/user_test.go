package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// Run from a directory with no database, a command-line tool refuses to
// make an empty one (which would hold a token the server never knew) unless
// asked to with --create, and says which database it looked for.
func TestTheCommandLineRefusesADatabaseThatIsNotThere(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	env := envOf(map[string]string{})
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"coplan", "token", "create", "--role", "admin"}, env, &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "no coplan database at "+filepath.Join(dir, "data", "coplan.db")) || !strings.Contains(err.Error(), "--create") {
		t.Fatalf("token create in an empty directory: %v", err)
	}
	if out.Len() != 0 {
		t.Fatalf("printed a token anyway: %q", out.String())
	}
	if _, statErr := os.Stat(filepath.Join(dir, "data", "coplan.db")); statErr == nil {
		t.Fatal("made a database file anyway")
	}
	out.Reset()
	if err := run(context.Background(), []string{"coplan", "user", "list", "--create"}, env, &out, &errs); err != nil {
		t.Fatalf("user list --create: %v", err)
	}
	if !strings.Contains(errs.String(), "coplan: database "+filepath.Join(dir, "data", "coplan.db")+", base URL http://127.0.0.1:8080") {
		t.Fatalf("the command does not say which database it used:\n%s", errs.String())
	}
}

func TestHelpOfACommandExitsZero(t *testing.T) {
	for _, args := range [][]string{{"help", "token"}, {"token", "--help"}, {"token", "create", "--help"}, {"user", "-h"}, {"help", "import"}} {
		var out, errs bytes.Buffer
		if err := run(context.Background(), append([]string{"coplan"}, args...), envOf(nil), &out, &errs); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		cmd := args[0]
		if cmd == "help" {
			cmd = args[1]
		}
		if !strings.HasPrefix(out.String(), "usage: coplan "+cmd) {
			t.Fatalf("%v printed %q", args, out.String())
		}
	}
}

// The command line names a bad field by its flag, in words, every one at once.
func TestUserInviteSpeaksInFlags(t *testing.T) {
	env := envOf(map[string]string{"COPLAN_DATABASE_URL": storetest.URL(t, store.SQLite)})
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"coplan", "user", "invite", "--create", "--email", "nope", "--role", "nurse"}, env, &out, &errs)
	if err == nil {
		t.Fatal("a bad invitation was accepted")
	}
	for _, want := range []string{"--name: ", "--email: This is not an email address.", "--facilitator: "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "facilitator_id") {
		t.Errorf("the refusal speaks in API field names: %q", err)
	}
	err = run(context.Background(), []string{"coplan", "user", "invite", "--email", "a@b.example", "--name", "A", "--role", "nurse", "--facilitator", "fac_nope"}, env, &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "--facilitator: ") {
		t.Fatalf("an unknown facilitator: %v", err)
	}
}
