package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

// publish runs one feed publication by hand, as the cron job does.
func publish(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c, err := loadConfig(getenv, fs, args)
	if err != nil {
		return err
	}
	now, err := clock(getenv)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, c, newLogger(stderr, c.LogLevel), now)
	if err != nil {
		return err
	}
	defer db.Close()
	slot := now().Truncate(time.Second)
	res, err := newPublisher(db, c).Publish(ctx, slot)
	if err != nil {
		return err
	}
	if !res.Ran {
		fmt.Fprintf(stdout, "slot %s was published already\n", slot.Format(time.RFC3339))
		return nil
	}
	fmt.Fprintf(stdout, "published %d feeds, %d changed\n", res.Feeds, res.Changed)
	return nil
}
