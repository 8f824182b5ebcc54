package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// buildBinary builds coplan once per test run.
var (
	binOnce sync.Once
	binPath string
	binErr  error
)

func coplanBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "coplan-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "coplan")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatalf("build coplan: %v", binErr)
	}
	return binPath
}

// replica is a coplan serve process.
type replica struct {
	name string
	cmd  *exec.Cmd
	logs *syncBuffer
	addr string
}

func startReplica(t *testing.T, name string, env map[string]string, args ...string) *replica {
	t.Helper()
	r := &replica{name: name, logs: &syncBuffer{}, addr: freeAddr(t)}
	cmd := exec.Command(coplanBinary(t), append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), "COPLAN_ADDR="+r.addr, "COPLAN_REPLICA="+name)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stderr = r.logs
	cmd.Stdout = r.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.cmd = cmd
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitHealthy(t, "http://"+r.addr, r.logs)
	return r
}

func waitHealthy(t *testing.T, base string, logs *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if st, _ := tryGet(base + "/healthz"); st == 200 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not become healthy:\n%s", base, logs.String())
}

func tryGet(url string) (int, error) {
	c := &httpClient
	res, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

// Three replicas on one PostgreSQL fire the publication every second; every
// slot runs exactly once, and the replicas that lose a slot skip it.
func TestThreeReplicasPublishEachSlotOnce(t *testing.T) {
	dbURL := storetest.URL(t, store.Postgres)
	env := map[string]string{"COPLAN_DATABASE_URL": dbURL, "COPLAN_SECRET": strings.Repeat("s", 40),
		"COPLAN_CRON_PUBLISH": "* * * * * *", "COPLAN_LOG_LEVEL": "info"}
	first := startReplica(t, "r1", env, "--demo")
	token := userToken(t, env, demo.AdminEmail)
	orgs, _ := fetchJSON(t, "http://"+first.addr+"/api/v1/organisations", token)
	for _, o := range orgs {
		st, body := call(t, "POST", "http://"+first.addr+"/api/v1/feeds", token, `{"kind":"organisation","subject_id":"`+o["id"].(string)+`"}`)
		if st != 201 {
			t.Fatalf("create feed: %d %s", st, body)
		}
	}
	replicas := []*replica{first, startReplica(t, "r2", env), startReplica(t, "r3", env)}
	time.Sleep(4 * time.Second)
	for _, r := range replicas {
		r.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, r := range replicas {
		if err := r.cmd.Wait(); err != nil {
			t.Fatalf("replica %s did not stop cleanly: %v\n%s", r.name, err, r.logs.String())
		}
	}

	ran := map[string][]string{}
	tried := map[string]map[string]bool{}
	for _, r := range replicas {
		sc := bufio.NewScanner(strings.NewReader(r.logs.String()))
		for sc.Scan() {
			var line struct {
				Msg  string `json:"msg"`
				Slot string `json:"slot"`
				Ran  bool   `json:"ran"`
			}
			if json.Unmarshal(sc.Bytes(), &line) != nil || line.Msg != "feed publication" {
				continue
			}
			if tried[line.Slot] == nil {
				tried[line.Slot] = map[string]bool{}
			}
			tried[line.Slot][r.name] = true
			if line.Ran {
				ran[line.Slot] = append(ran[line.Slot], r.name)
			}
		}
	}
	db, err := store.Open(context.Background(), dbURL, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runs, _ := db.JobRuns(context.Background(), calendars.PublishJob)
	if len(runs) < 3 {
		t.Fatalf("%d publication runs in 4 seconds; want at least 3", len(runs))
	}
	contested := 0
	for slot, who := range ran {
		if len(who) != 1 {
			t.Fatalf("slot %s ran on %v", slot, who)
		}
		if len(tried[slot]) > 1 {
			contested++
		}
	}
	if len(ran) != len(runs) {
		t.Fatalf("%d slots ran by the logs, %d run records", len(ran), len(runs))
	}
	if contested == 0 {
		t.Fatalf("no slot was contested by two replicas: %v", tried)
	}
	t.Logf("%d slots, %d contested by more than one replica, each ran once", len(runs), contested)
}

func fetchJSON(t *testing.T, url, token string) ([]map[string]any, int) {
	t.Helper()
	st, body := call(t, "GET", url, token, "")
	var res struct {
		Items []map[string]any `json:"items"`
	}
	json.Unmarshal(body, &res)
	return res.Items, st
}
