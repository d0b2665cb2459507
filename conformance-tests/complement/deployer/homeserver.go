package deployer

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// homeserver is one Cairn process standing in for one of Complement's containers. Its ports are
// chosen once and kept across restarts, so its URLs (and, once Cairn federates, the address other
// servers reach it at) stay stable, unlike a restarted Docker container's.
type homeserver struct {
	name           string // hs1, hs2, ...: also Cairn's server_name, as Complement's tests hard-code it
	dataDir        string
	logPath        string
	clientPort     int
	federationPort int
	env            []string

	mu        sync.Mutex
	cmd       *exec.Cmd
	exited    chan struct{}
	paused    bool
	fedScheme string // from Cairn's running.json: https (http only with CAIRN_FEDERATION_TLS=false)
}

func (hs *homeserver) clientURL() string {
	return fmt.Sprintf("http://127.0.0.1:%d", hs.clientPort)
}

func (hs *homeserver) federationURL() string {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return fmt.Sprintf("%s://127.0.0.1:%d", hs.fedScheme, hs.federationPort)
}

// start runs `node bin/cairn.js start` and returns once /versions answers 200.
func (hs *homeserver) start(s *settings, timeout time.Duration) error {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.cmd != nil {
		return fmt.Errorf("%s is already running", hs.name)
	}
	logFile, err := os.OpenFile(hs.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logFile, "# complement deployer: starting %s at %s\n", hs.name, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(s.node, s.cairnScript(), "start")
	cmd.Dir = s.repoDir
	cmd.Env = hs.env
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// The server must not outlive a test binary that dies without cleaning up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("starting %s: %w", hs.name, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(exited)
	}()
	hs.cmd, hs.exited, hs.paused = cmd, exited, false

	if err := hs.waitUntilServing(timeout); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		hs.cmd = nil
		return fmt.Errorf("%s did not start: %w\n%s", hs.name, err, tailOf(hs.logPath, 30))
	}
	hs.fedScheme = federationSchemeOf(hs.dataDir)
	return nil
}

func (hs *homeserver) waitUntilServing(timeout time.Duration) error {
	versions := hs.clientURL() + "/_matrix/client/versions"
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case <-hs.exited:
			return fmt.Errorf("exited with %v", hs.cmd.ProcessState)
		default:
		}
		res, err := client.Get(versions)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET %s: %s", versions, res.Status)
		}
		lastErr = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("timed out after %s: %v", timeout, lastErr)
}

// stop sends SIGTERM (Cairn's clean shutdown) and SIGKILL if it has not exited within timeout.
func (hs *homeserver) stop(timeout time.Duration) error {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.cmd == nil {
		return nil
	}
	proc, exited := hs.cmd.Process, hs.exited
	if hs.paused {
		_ = proc.Signal(syscall.SIGCONT) // a stopped process cannot act on SIGTERM
		hs.paused = false
	}
	var err error
	_ = proc.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(timeout):
		err = fmt.Errorf("%s ignored SIGTERM for %s; killed", hs.name, timeout)
		_ = proc.Kill()
		<-exited
	}
	hs.cmd = nil
	return err
}

// pause and unpause stand in for `docker pause`: the process keeps its memory and sockets but
// answers nothing, as an unreachable server would.
func (hs *homeserver) pause() error {
	return hs.signalRunning(syscall.SIGSTOP, true)
}

func (hs *homeserver) unpause() error {
	return hs.signalRunning(syscall.SIGCONT, false)
}

func (hs *homeserver) signalRunning(sig syscall.Signal, paused bool) error {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.cmd == nil {
		return fmt.Errorf("%s is not running", hs.name)
	}
	if err := hs.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("%s: %w", hs.name, err)
	}
	hs.paused = paused
	return nil
}

// federationSchemeOf reads the scheme of the federation listener from Cairn's running.json
// (https unless COMPLEMENT_SHARE_ENV_PREFIX passed CAIRN_FEDERATION_TLS=false through).
func federationSchemeOf(dataDir string) string {
	raw, err := os.ReadFile(filepath.Join(dataDir, "running.json"))
	if err == nil {
		var info struct {
			FederationURL string `json:"federationUrl"`
		}
		if json.Unmarshal(raw, &info) == nil {
			if u, err := url.Parse(info.FederationURL); err == nil && u.Scheme != "" {
				return u.Scheme
			}
		}
	}
	return "https"
}

// freePort asks the kernel for an unused loopback port. Another process could take it before
// Cairn binds it; start then fails with EADDRINUSE in the log, which is rare enough.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tailOf returns the last lines of a log, for error messages.
func tailOf(path string, lines int) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "(no log)"
		}
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
