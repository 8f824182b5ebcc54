package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// publish runs one feed publication by hand, as the cron job does.
func publish(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("publish", stderr)
	a, err := openApp(ctx, getenv, fs, args, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	slot := a.now().Truncate(time.Second)
	res, err := newPublisher(a.db, a.cfg).Publish(ctx, slot)
	if err != nil {
		return err
	}
	if !res.Ran {
		fmt.Fprintf(stdout, "slot %s was published already\n", slot.Format(time.RFC3339))
		return nil
	}
	fmt.Fprintf(stdout, "published %d feeds, %d changed\n", res.Feeds, res.Changed)
	for _, sk := range res.Skipped {
		fmt.Fprintf(stderr, "skipped organisation %s: %v\n", sk.OrganisationID, sk.Err)
	}
	return nil
}
