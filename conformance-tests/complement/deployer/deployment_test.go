package deployer

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/matrix-org/complement/config"
	"github.com/matrix-org/complement/helpers"
)

// The deployer against real Cairn processes: run by run.sh --self-test (it needs CAIRN_REPO_DIR
// and node on PATH).
func TestDeploymentLifecycle(t *testing.T) {
	if os.Getenv("CAIRN_REPO_DIR") == "" {
		t.Skip("CAIRN_REPO_DIR is not set")
	}
	t.Setenv("COMPLEMENT_BASE_IMAGE", "cairn-process")
	cfg := config.NewConfigFromEnvVars("selftest", "")
	s, err := loadSettings()
	if err != nil {
		t.Fatal(err)
	}
	s.outDir = t.TempDir()
	d := deploy(t, 2, cfg, s)
	hs1 := d.servers["hs1"]

	alice := d.Register(t, "hs1", helpers.RegistrationOpts{})
	admin := d.Register(t, "hs1", helpers.RegistrationOpts{IsAdmin: true})
	if alice.UserID != "@user-1:hs1" || admin.UserID != "@user-2:hs1" {
		t.Fatalf("user ids: %s, %s", alice.UserID, admin.UserID)
	}
	if got := d.GetFullyQualifiedHomeserverName(t, "hs2"); got != "hs2" {
		t.Fatalf("server name of hs2: %s", got)
	}

	// Restart keeps the data: the account can log in again, at the same URL.
	url := hs1.clientURL()
	if err := d.Restart(t); err != nil {
		t.Fatal(err)
	}
	if hs1.clientURL() != url {
		t.Fatalf("URL changed across the restart: %s -> %s", url, hs1.clientURL())
	}
	again := d.Login(t, "hs1", alice, helpers.LoginOpts{})
	if again.UserID != alice.UserID {
		t.Fatalf("login after restart: %s", again.UserID)
	}

	// Paused: no answer; unpaused: answers.
	versions := url + "/_matrix/client/versions"
	quick := &http.Client{Timeout: 500 * time.Millisecond}
	d.PauseServer(t, "hs1")
	if res, err := quick.Get(versions); err == nil {
		res.Body.Close()
		t.Fatal("a paused server answered")
	}
	d.UnpauseServer(t, "hs1")
	mustAnswer(t, quick, versions)

	// Stopped: connection refused; started again: answers.
	d.StopServer(t, "hs1")
	if res, err := quick.Get(versions); err == nil {
		res.Body.Close()
		t.Fatal("a stopped server answered")
	}
	d.StartServer(t, "hs1")
	mustAnswer(t, quick, versions)

	// Federation requests addressed to https://hs2 reach hs2's federation listener.
	req, _ := http.NewRequest(http.MethodGet, "https://hs2/_matrix/key/v2/server", nil)
	res, err := d.RoundTripper().RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("hs2 key server: %s", res.Status)
	}
	// Over TLS, with the certificate for hs2 signed by Complement's CA (not a self-signed one):
	// verified as a server trusting only that CA would.
	hs2 := d.servers["hs2"]
	if !strings.HasPrefix(hs2.federationURL(), "https://") {
		t.Fatalf("hs2 federation URL: %s", hs2.federationURL())
	}
	roots := x509.NewCertPool()
	roots.AddCert(cfg.CACertificate)
	conn, err := tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", hs2.federationPort), &tls.Config{RootCAs: roots, ServerName: "hs2"})
	if err != nil {
		t.Fatalf("TLS to hs2's federation port, verified against Complement's CA: %s", err)
	}
	conn.Close()

	d.Destroy(t)
	if _, err := os.Stat(hs1.dataDir); !os.IsNotExist(err) {
		t.Fatalf("data dir left behind: %v", err)
	}
	if _, err := os.Stat(hs1.logPath); err != nil {
		t.Fatalf("log gone: %v", err)
	}
	if res, err := quick.Get(versions); err == nil {
		res.Body.Close()
		t.Fatal("a destroyed server answered")
	}
}

func mustAnswer(t *testing.T, c *http.Client, url string) {
	t.Helper()
	res, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
}
