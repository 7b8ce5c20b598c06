package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain runs main itself when the test binary is started as the
// command (HELLO_RUN_MAIN=1), so the tests can run it as a process.
func TestMain(m *testing.M) {
	if os.Getenv("HELLO_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func helloCmd(addr string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HELLO_RUN_MAIN=1", "FLAGON_ADDR="+addr)
	return cmd
}

func TestBusyPortExits1WithTheReasonAndCtrlCExits0(t *testing.T) {
	first := helloCmd("127.0.0.1:0")
	stderr, err := first.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Process.Kill()
	var addr string
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), " * Running on http://"); ok {
			addr = u
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	if addr == "" {
		t.Fatal("the first hello printed no address")
	}

	second := helloCmd(addr)
	var out bytes.Buffer
	second.Stderr = &out
	err = second.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("the second hello on the busy %s: %v, want exit status 1; stderr:\n%s", addr, err, out.String())
	}
	if msg := out.String(); !strings.Contains(msg, "listen on "+addr) || !strings.Contains(msg, "address already in use") {
		t.Fatalf("the second hello does not say why it stopped:\n%s", msg)
	}

	if err := first.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("after Ctrl+C hello exited with %v, want status 0", err)
	}
}
