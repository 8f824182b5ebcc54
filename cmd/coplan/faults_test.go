//go:build faults

// The fault harness (make faults): replicas are killed with SIGKILL in the
// middle of a planning transaction and of an outbox send, stopped with SIGTERM
// during a slow request and a running job, and a private PostgreSQL cluster is
// restarted under load. Afterwards nothing is half-written, nothing is lost or
// duplicated, and the service recovers by itself.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/mail/smtptest"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

var faultNow = "2027-01-04T09:00:00+01:00"

func faultEnv(dbURL string, extra ...string) map[string]string {
	env := map[string]string{"COPLAN_DATABASE_URL": dbURL, "COPLAN_SECRET": strings.Repeat("f", 40), "COPLAN_NOW": faultNow,
		"COPLAN_LOG_LEVEL": "info", "COPLAN_RATE_TOKEN": "0", "COPLAN_RATE_IP": "0"}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}

func openDB(t *testing.T, url string) *store.DB {
	t.Helper()
	now, _ := time.Parse(time.RFC3339, faultNow)
	db, err := store.Open(context.Background(), url, store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func adminToken(t *testing.T, db *store.DB) string {
	t.Helper()
	secret, err := db.CreateToken(context.Background(), &store.Token{Role: store.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// bigOrganisation makes an organisation whose planning run takes a while.
func bigOrganisation(t *testing.T, db *store.DB, babies int) string {
	t.Helper()
	ctx := context.Background()
	org := storetest.MustCreateOrganisation(t, db, "GGD Groot")
	var locs []string
	for i := 0; i < 6; i++ {
		l := storetest.MustCreateLocation(t, db, org.ID, fmt.Sprintf("azc %d", i))
		room := &store.Room{Name: "Zaal", Capacity: 24}
		for d := 1; d <= 5; d++ {
			room.OpeningHours = append(room.OpeningHours, civil.Weekly{Weekday: d, From: 8*60 + 30, To: 17 * 60})
		}
		if err := db.CreateRoom(ctx, store.System, l.ID, room); err != nil {
			t.Fatal(err)
		}
		locs = append(locs, l.ID)
	}
	for i := 0; i < 24; i++ {
		f := &store.Facilitator{OrganisationID: org.ID, DisplayName: fmt.Sprintf("Begeleider %d", i), Role: store.RoleNurseFacilitator,
			COTrained: i%2 == 0, MaxSessionsPerWeek: 5, Languages: []string{"nl"}}
		for d := 1; d <= 5; d++ {
			f.Availability = append(f.Availability, civil.Weekly{Weekday: d, From: 8*60 + 30, To: 17 * 60})
		}
		if err := db.CreateFacilitator(ctx, store.System, f); err != nil {
			t.Fatal(err)
		}
	}
	var rows []store.ImportRow
	for i := 0; i < babies; i++ {
		d := civil.MustParse("2027-01-03").AddDays(-i * 400 / babies)
		rows = append(rows, store.ImportRow{Line: i + 2, Ref: fmt.Sprintf("G-%05d", i), BirthDate: &d, Location: locs[i%len(locs)], Language: "ar"})
	}
	if _, err := db.ImportBabies(ctx, store.System, rows, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return org.ID
}

func exitCode(cmd *exec.Cmd) int {
	if cmd.ProcessState == nil {
		return -1
	}
	return cmd.ProcessState.ExitCode()
}

func TestFaultKillDuringPlanLeavesNothingHalfWritten(t *testing.T) {
	dbURL := storetest.URL(t, store.Postgres)
	db := openDB(t, dbURL)
	org := bigOrganisation(t, db, 4000)
	token := adminToken(t, db)
	caught := false
	for attempt := 0; attempt < 8 && !caught; attempt++ {
		r := startReplica(t, fmt.Sprintf("plan-%d", attempt), faultEnv(dbURL))
		done := make(chan struct{})
		go func() {
			defer close(done)
			req, _ := http.NewRequest("POST", "http://"+r.addr+"/api/v1/plan", strings.NewReader(`{"organisation_id":"`+org+`"}`))
			req.Header.Set("Authorization", "Bearer "+token)
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		}()
		time.Sleep(time.Duration(40+attempt*40) * time.Millisecond)
		r.cmd.Process.Signal(syscall.SIGKILL)
		r.cmd.Wait()
		<-done
		runs := storetest.Count(t, db, "SELECT COUNT(*) FROM plan_runs")
		sessions := storetest.Count(t, db, "SELECT COUNT(*) FROM sessions")
		groups := storetest.Count(t, db, "SELECT COUNT(*) FROM co_groups")
		switch runs {
		case 0:
			if sessions != 0 || groups != 0 {
				t.Fatalf("killed mid-plan: no run recorded, yet %d sessions and %d groups", sessions, groups)
			}
			caught = true
		default:
			last, _ := db.LatestPlanRun(context.Background(), store.System, org)
			if int(sessions) != last.SessionsCount {
				t.Fatalf("run records %d sessions, the table holds %d", last.SessionsCount, sessions)
			}
		}
	}
	if !caught {
		t.Log("the kill never landed inside the transaction; every run was complete")
	}
	r := startReplica(t, "plan-after", faultEnv(dbURL))
	if st, body := call(t, "POST", "http://"+r.addr+"/api/v1/plan", token, `{"organisation_id":"`+org+`"}`); st != 200 {
		t.Fatalf("plan after the crash: %d %.300s", st, body)
	}
	last, err := db.LatestPlanRun(context.Background(), store.System, org)
	if err != nil || last == nil {
		t.Fatalf("no plan run after the restart: %v", err)
	}
	sessions := storetest.Count(t, db, "SELECT COUNT(*) FROM sessions")
	if last.Placed == 0 || int(sessions) != last.SessionsCount {
		t.Fatalf("after restart: run %+v, %d sessions", last, sessions)
	}
}

// surveyOpenToday makes one organisation with a contact email and a survey
// that opens today, so the reminder job queues one invitation.
func surveyOpenToday(t *testing.T, db *store.DB) {
	t.Helper()
	storetest.MustCreateOrganisation(t, db, "GGD Mail")
	if _, err := db.CreateSurvey(context.Background(), store.System, &store.Survey{Title: "Peiling",
		OpensOn: civil.MustParse("2027-01-04"), Deadline: civil.MustParse("2027-02-01")}, nil); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mailStatus(db *store.DB) string {
	rows, err := db.SQL().Query("SELECT status FROM outbox ORDER BY id")
	if err != nil {
		return "error: " + err.Error()
	}
	defer rows.Close()
	var s []string
	for rows.Next() {
		var v string
		rows.Scan(&v)
		s = append(s, v)
	}
	return strings.Join(s, ",")
}

func TestFaultKillDuringSendDeliversAfterRestart(t *testing.T) {
	dbURL := storetest.URL(t, store.Postgres)
	db := openDB(t, dbURL)
	surveyOpenToday(t, db)
	smtp := smtptest.Start(t)
	smtp.Slow(3 * time.Second)
	env := faultEnv(dbURL, "COPLAN_SMTP_URL", smtp.URL(), "COPLAN_CRON_REMIND", "* * * * * *", "COPLAN_SMTP_POLL", "200ms", "COPLAN_SMTP_STALE", "2s")
	r := startReplica(t, "send-1", env)
	waitFor(t, "a claimed mail", func() bool { return mailStatus(db) == store.MailSending })
	r.cmd.Process.Signal(syscall.SIGKILL)
	r.cmd.Wait()
	smtp.Slow(0)
	startReplica(t, "send-2", env)
	waitFor(t, "the mail to be sent", func() bool { return mailStatus(db) == store.MailSent })
	time.Sleep(3 * time.Second) // the dead sender's message may still arrive late
	msgs := smtp.Messages()
	if len(msgs) < 1 || len(msgs) > 2 {
		t.Fatalf("%d deliveries; want one, or two of the same message", len(msgs))
	}
	for _, m := range msgs {
		if m.MessageID != msgs[0].MessageID {
			t.Fatalf("deliveries with different Message-IDs: %s and %s", msgs[0].MessageID, m.MessageID)
		}
	}
	t.Logf("%d delivery(ies), Message-ID %s", len(msgs), msgs[0].MessageID)
}

func TestFaultSIGTERMFinishesASlowRequestAndARunningJob(t *testing.T) {
	dbURL := storetest.URL(t, store.Postgres)
	db := openDB(t, dbURL)
	surveyOpenToday(t, db)
	org := storetest.MustCreateOrganisation(t, db, "GGD Import")
	loc := storetest.MustCreateLocation(t, db, org.ID, "azc Import")
	token := adminToken(t, db)
	smtp := smtptest.Start(t)
	smtp.Slow(3 * time.Second)
	env := faultEnv(dbURL, "COPLAN_SMTP_URL", smtp.URL(), "COPLAN_CRON_REMIND", "* * * * * *", "COPLAN_SMTP_POLL", "200ms")
	r := startReplica(t, "term", env)
	waitFor(t, "the job's mail on its way", func() bool { return mailStatus(db) == store.MailSending })

	// A slow upload: half the file now, the rest after SIGTERM.
	pr, pw := io.Pipe()
	type result struct {
		status int
		body   string
	}
	resc := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("POST", "http://"+r.addr+"/api/v1/babies/import", pr)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			resc <- result{0, err.Error()}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		resc <- result{res.StatusCode, string(b)}
	}()
	fmt.Fprintf(pw, "ref,birth_date,location,language\n")
	for i := 0; i < 500; i++ {
		fmt.Fprintf(pw, "I-%04d,2026-12-01,%s,ar\n", i, loc.ID)
	}
	time.Sleep(300 * time.Millisecond)
	r.cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(time.Second)
	for i := 500; i < 1000; i++ {
		fmt.Fprintf(pw, "I-%04d,2026-12-01,%s,ar\n", i, loc.ID)
	}
	pw.Close()
	res := <-resc
	if res.status != 201 || !strings.Contains(res.body, `"imported":1000`) {
		t.Fatalf("the slow request during shutdown: %d %s", res.status, res.body)
	}
	if err := r.cmd.Wait(); err != nil || exitCode(r.cmd) != 0 {
		t.Fatalf("exit: %v (code %d)\n%s", err, exitCode(r.cmd), r.logs.String())
	}
	if mailStatus(db) != store.MailSent || len(smtp.Messages()) != 1 {
		t.Fatalf("the running send: outbox %q, %d delivered", mailStatus(db), len(smtp.Messages()))
	}
}

// privateCluster makes and starts a PostgreSQL cluster of the test's own on a
// free port, never the shared one.
func privateCluster(t *testing.T) (url string, stop, start func()) {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Fatal("initdb is not installed")
	}
	bin := filepath.Dir(bins[len(bins)-1])
	dir, err := os.MkdirTemp("", "coplan-pg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o777)
	data := filepath.Join(dir, "data")
	asPostgres := func(args ...string) {
		out, err := exec.Command("runuser", append([]string{"-u", "postgres", "--"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	asPostgres(filepath.Join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
	port := strings.Split(freeAddr(t), ":")[1]
	start = func() {
		asPostgres(filepath.Join(bin, "pg_ctl"), "-D", data, "-w", "-l", filepath.Join(dir, "log"), "-o",
			"-p "+port+" -k "+dir+" -c listen_addresses=127.0.0.1 -c fsync=off", "start")
	}
	stop = func() { asPostgres(filepath.Join(bin, "pg_ctl"), "-D", data, "-w", "-m", "fast", "stop") }
	start()
	t.Cleanup(func() {
		exec.Command("runuser", "-u", "postgres", "--", filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop").Run()
	})
	return "postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=disable", stop, start
}

func TestFaultPostgresRestartUnderLoad(t *testing.T) {
	url, stop, start := privateCluster(t)
	db := openDB(t, url)
	token := adminToken(t, db)
	org := storetest.MustCreateOrganisation(t, db, "GGD Herstart")
	loc := storetest.MustCreateLocation(t, db, org.ID, "azc Herstart")
	r := startReplica(t, "pg", faultEnv(url))
	base := "http://" + r.addr
	client := &http.Client{Timeout: 5 * time.Second}
	// Clients retry idempotent requests, and POSTs with their Idempotency-Key.
	do := func(method, path, body, key string) (int, error) {
		var last error
		for try := 0; try < 100; try++ {
			var rd io.Reader
			if body != "" {
				rd = strings.NewReader(body)
			}
			req, _ := http.NewRequest(method, base+path, rd)
			req.Header.Set("Authorization", "Bearer "+token)
			if key != "" {
				req.Header.Set("Idempotency-Key", key)
			}
			res, err := client.Do(req)
			if err == nil {
				answer, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode < 500 && res.StatusCode != 409 {
					return res.StatusCode, nil
				}
				last = fmt.Errorf("status %d after %d tries: %.300s", res.StatusCode, try+1, answer)
			} else {
				last = err
			}
			time.Sleep(200 * time.Millisecond)
		}
		return 0, last
	}
	var lost, ok atomic.Int64
	var wg sync.WaitGroup
	stopLoad := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stopLoad:
					return
				default:
				}
				var st int
				var err error
				if i%5 == 0 {
					body := fmt.Sprintf(`{"ref":"R-%d-%d","birth_date":"2026-12-01","location_id":"%s"}`, w, i, loc.ID)
					st, err = do("POST", "/api/v1/babies", body, fmt.Sprintf("key-%d-%d", w, i))
					if err == nil && st != 201 {
						err = fmt.Errorf("create: %d", st)
					}
				} else {
					st, err = do("GET", "/api/v1/organisations", "", "")
				}
				if err != nil {
					lost.Add(1)
					t.Logf("lost: %v", err)
					if i%5 == 0 {
						rows := storetest.Strings(t, db, fmt.Sprintf("SELECT status || ' committed=' || committed || ' claimed=' || COALESCE(claimed_at::text, 'null') || ' created=' || created_at::text FROM idempotency_keys WHERE key = 'key-%d-%d'", w, i))
						t.Logf("its claim: %v (now %v)", rows, time.Now().UTC())
					}
				} else {
					ok.Add(1)
				}
			}
		}(w)
	}
	time.Sleep(time.Second)
	stop()
	waitFor(t, "/readyz to answer 503", func() bool { st, _ := tryGet(base + "/readyz"); return st == 503 })
	time.Sleep(2 * time.Second)
	start()
	waitFor(t, "/readyz to recover", func() bool { st, _ := tryGet(base + "/readyz"); return st == 200 })
	time.Sleep(time.Second)
	close(stopLoad)
	wg.Wait()
	if lost.Load() != 0 {
		t.Fatalf("%d requests lost (of %d)", lost.Load(), ok.Load()+lost.Load())
	}
	// Every create landed exactly once: refs are unique per organisation, and
	// each key's retries replayed the first answer.
	n := storetest.Count(t, db, "SELECT COUNT(*) FROM babies")
	distinct := storetest.Count(t, db, "SELECT COUNT(DISTINCT ref) FROM babies")
	if n != distinct || n == 0 {
		t.Fatalf("%d babies, %d distinct refs", n, distinct)
	}
	t.Logf("%d requests through a PostgreSQL restart, none lost; %d babies created once each", ok.Load(), n)
}

func TestFaultKillDuringPublicationLeavesEveryFeedWhole(t *testing.T) {
	dbURL := storetest.URL(t, store.Postgres)
	db := openDB(t, dbURL)
	org := bigOrganisation(t, db, 3000)
	ctx := context.Background()
	if _, err := coordination.New(db).RunPlan(ctx, store.System, org, true); err != nil {
		t.Fatal(err)
	}
	// Many feeds, inserted without a first rendering, so a run has work.
	groups := storetest.Strings(t, db, "SELECT id FROM co_groups")
	for i, g := range groups {
		if _, err := db.SQL().Exec("INSERT INTO feeds (id, kind, subject_id, organisation_id, version, created_at) VALUES ($1, $2, $3, $4, 1, $5)",
			fmt.Sprintf("feed_fault%04d", i), store.FeedGroup, g, org, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	env := faultEnv(dbURL, "COPLAN_CRON_PUBLISH", "* * * * * *")
	check := func() (published int) {
		var feeds []store.Feed
		for _, id := range storetest.Strings(t, db, "SELECT id FROM feeds") {
			f, err := db.FeedForServing(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			feeds = append(feeds, *f)
		}
		for _, f := range feeds {
			switch {
			case f.Body == "":
			case strings.HasPrefix(f.Body, "BEGIN:VCALENDAR\r\n") && strings.HasSuffix(f.Body, "END:VCALENDAR\r\n") && f.ETag == store.ETagOf([]byte(f.Body)):
				published++
			default:
				t.Fatalf("feed %s is half-written (%d bytes)", f.ID, len(f.Body))
			}
		}
		if published != 0 && published != len(feeds) {
			t.Fatalf("%d of %d feeds published: a run was cut in half", published, len(feeds))
		}
		return published
	}
	for attempt := 0; attempt < 5; attempt++ {
		r := startReplica(t, fmt.Sprintf("pub-%d", attempt), env)
		time.Sleep(time.Duration(900+attempt*150) * time.Millisecond)
		r.cmd.Process.Signal(syscall.SIGKILL)
		r.cmd.Wait()
		check()
	}
	startReplica(t, "pub-after", env)
	waitFor(t, "a complete publication", func() bool { return check() == len(groups) })
	runs, _ := db.JobRuns(ctx, "publish-feeds")
	t.Logf("%d feeds whole after 5 kills; %d publication runs recorded", len(groups), len(runs))
}

// One organisation's unreadable record (a time stored by a lenient older
// version) does not stop another organisation's feed publication by the
// running replicas' cron job: the other's change reaches its feed URL.
func TestFaultPoisonedRecordOfOneOrganisationDoesNotStopAnothersFeeds(t *testing.T) {
	dbURL := storetest.URL(t, store.Postgres)
	db := openDB(t, dbURL)
	ctx := context.Background()
	if _, err := demo.Fill(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := demo.PlanAndPublish(ctx, db); err != nil {
		t.Fatal(err)
	}
	orgs, _, _ := db.Organisations(ctx, store.System, store.Page{Limit: 10})
	var good, bad store.Organisation
	for _, o := range orgs {
		switch o.Name {
		case "GGD Groningen":
			good = o
		case "GGD Drenthe":
			bad = o
		}
	}
	key := []byte(strings.Repeat("f", 40))
	r := calendars.Renderer{Host: "127.0.0.1"}
	feed, err := db.CreateFeed(ctx, store.System, store.FeedOrganisation, good.ID, r.Render)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateFeed(ctx, store.System, store.FeedOrganisation, bad.ID, r.Render); err != nil {
		t.Fatal(err)
	}
	poisoned := storetest.Strings(t, db, "SELECT id FROM facilitators WHERE organisation_id = '"+bad.ID+"' ORDER BY id LIMIT 1")[0]
	if err := storetest.Exec(db, `UPDATE facilitators SET availability = '[{"weekday":1,"from":"00:-30","to":"17:00"}]' WHERE id = '`+poisoned+`'`); err != nil {
		t.Fatal(err)
	}
	rep := startReplica(t, "poison", faultEnv(dbURL, "COPLAN_CRON_PUBLISH", "* * * * * *"))
	sessions, _, _ := db.Sessions(ctx, store.Actor{Role: store.RoleCoordinator, OrganisationID: good.ID}, store.SessionFilter{Page: store.Page{Limit: 1}})
	cancelled := store.SessionCancelled
	if _, err := coordination.New(db).ChangeSession(ctx, store.System, sessions[0].ID, coordination.SessionChange{Status: &cancelled}); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("http://" + rep.addr)
	feedURL, _ := calendars.URLs(u, key, feed)
	waitFor(t, "the good organisation's cancelled session in its feed", func() bool {
		res, err := http.Get(feedURL)
		if err != nil {
			return false
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode == 200 && strings.Contains(string(body), "STATUS:CANCELLED")
	})
	st, body := tryGetBody("http://" + rep.addr + "/readyz")
	if st != 200 || !strings.Contains(body, "1 organisations skipped") {
		t.Fatalf("/readyz does not say an organisation was skipped: %d %s", st, body)
	}
}

func tryGetBody(url string) (int, string) {
	res, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}
