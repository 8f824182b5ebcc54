package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/coplan/coplan/store"
)

// importCmd imports a CSV of babies all or nothing: `coplan import babies.csv`.
func importCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("import", stderr)
	update := fs.Bool("update", false, "update the records whose ref is known instead of refusing them")
	a, err := openApp(ctx, getenv, fs, args, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	db := a.db
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: coplan import babies.csv", errUsage)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	bar := progressBar(stderr)
	res, err := db.ImportFile(ctx, store.Actor{TokenID: "cli:import", Role: store.RoleAdmin}, f, store.ImportOptions{Update: *update, Progress: bar})
	fmt.Fprintln(stderr)
	var e *store.Error
	if errors.As(err, &e) && e.Code == store.EInvalid {
		for _, fe := range e.Fields {
			fmt.Fprintf(stderr, "%s: %s\n", strings.NewReplacer("rows[", "line ", "].", ", ").Replace(fe.Field), fe.Detail)
		}
		return errReported
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d babies in %.1f s (%d new, %d updated, %d unchanged)\n", res.Created+res.Updated,
		time.Since(start).Seconds(), res.Created, res.Updated, res.Unchanged)
	return nil
}

// progressBar draws "[#####-----] 50% 5000/10000" on one line.
func progressBar(w io.Writer) func(done, total int) {
	return func(done, total int) {
		if total == 0 {
			return
		}
		const width = 30
		filled := done * width / total
		fmt.Fprintf(w, "\rimporting [%s%s] %3d%% %d/%d", strings.Repeat("#", filled), strings.Repeat("-", width-filled), done*100/total, done, total)
	}
}
