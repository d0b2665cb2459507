package deployer

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/matrix-org/complement"
	"github.com/matrix-org/complement/config"
	"github.com/matrix-org/complement/ct"
	"github.com/matrix-org/gomatrixserverlib/spec"
)

// Deployment is a set of Cairn processes, hs1..hsN, for one test (or, with
// COMPLEMENT_ENABLE_DIRTY_RUNS=1, shared by the tests of a package). It implements
// complement.Deployment.
type Deployment struct {
	cfg       *config.Complement
	settings  *settings
	dir       string // this deployment's logs, data dirs and TLS files
	servers   map[string]*homeserver
	dirty     bool
	transport *http.Transport

	localpartCounter atomic.Int64
	clients          clientRegistry
}

var _ complement.Deployment = (*Deployment)(nil)

// deploy starts numServers fresh Cairn processes named hs1..hsN.
func deploy(t ct.TestLike, numServers int, cfg *config.Complement, s *settings) *Deployment {
	t.Helper()
	dir, err := os.MkdirTemp(s.outDir, safeName(t.Name())+"-")
	if err != nil {
		ct.Fatalf(t, "Deploy: %s", err)
	}
	d := &Deployment{
		cfg:       cfg,
		settings:  s,
		dir:       dir,
		servers:   map[string]*homeserver{},
		transport: newFederationTransport(),
	}
	track(d)
	if err := d.addServers(numServers); err != nil {
		d.destroy(true)
		ct.Fatalf(t, "Deploy: %s", err)
	}
	t.Logf("Deploy: %d Cairn server(s), logs in %s", numServers, dir)
	return d
}

// addServers creates and starts hs<k> for every k up to numServers not already present.
func (d *Deployment) addServers(numServers int) error {
	var added []*homeserver
	for i := 1; i <= numServers; i++ {
		name := "hs" + strconv.Itoa(i)
		if _, ok := d.servers[name]; ok {
			continue
		}
		hs, err := d.prepareServer(name)
		if err != nil {
			return err
		}
		d.servers[name] = hs
		added = append(added, hs)
	}
	// hs1 reaches hs2 at its loopback port (in containers Docker's DNS resolves the names): every
	// server is told every server's address. Servers added by a later call know the earlier ones;
	// earlier ones learn of later ones only at their next start.
	addresses := d.federationAddresses()
	for _, hs := range added {
		hs.env = append(hs.env, "CAIRN_FEDERATION_SERVER_ADDRESSES="+addresses)
	}
	// Start them side by side: most of a start is waiting on the database.
	errs := make([]error, len(added))
	var wg sync.WaitGroup
	for i, hs := range added {
		wg.Go(func() { errs[i] = hs.start(d.settings, d.cfg.SpawnHSTimeout) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return d.writeServersFile()
}

func (d *Deployment) prepareServer(name string) (*homeserver, error) {
	dataDir := filepath.Join(d.dir, name, "data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	if d.settings.useTemplate {
		template, err := migratedTemplate(d.settings, d.cfg.SpawnHSTimeout)
		if err != nil {
			return nil, err
		}
		if err := copyTree(template, dataDir); err != nil {
			return nil, fmt.Errorf("copying the data dir template: %w", err)
		}
	}
	tls, err := writeTLSMaterial(filepath.Join(d.dir, name, "tls"), name, d.cfg)
	if err != nil {
		return nil, err
	}
	return newHomeserver(d.settings, name, dataDir, filepath.Join(d.dir, name+".log"), tls)
}

// federationAddresses is federation_server_addresses for the servers so far: name=127.0.0.1:port.
func (d *Deployment) federationAddresses() string {
	var entries []string
	for _, name := range d.names() {
		entries = append(entries, fmt.Sprintf("%s=127.0.0.1:%d", name, d.servers[name].federationPort))
	}
	return strings.Join(entries, ",")
}

// writeServersFile records where each server listens, for a person debugging.
func (d *Deployment) writeServersFile() error {
	type entry struct {
		ClientURL         string `json:"client_url"`
		FederationAddress string `json:"federation_address"`
		DataDir           string `json:"data_dir"`
		Log               string `json:"log"`
	}
	servers := map[string]entry{}
	for name, hs := range d.servers {
		servers[name] = entry{
			ClientURL:         hs.clientURL(),
			FederationAddress: fmt.Sprintf("127.0.0.1:%d", hs.federationPort),
			DataDir:           hs.dataDir,
			Log:               hs.logPath,
		}
	}
	raw, err := json.MarshalIndent(servers, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d.dir, "servers.json"), raw, 0o644)
}

func (d *Deployment) server(t ct.TestLike, hsName string) *homeserver {
	t.Helper()
	hs, ok := d.servers[hsName]
	if !ok {
		ct.Fatalf(t, "Deployment: no homeserver named %q in this deployment", hsName)
	}
	return hs
}

// names returns hs1..hsN in order, so restarts and teardown are deterministic.
func (d *Deployment) names() []string {
	names := make([]string, 0, len(d.servers))
	for name := range d.servers {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func (d *Deployment) GetFullyQualifiedHomeserverName(t ct.TestLike, hsName string) spec.ServerName {
	t.Helper()
	return spec.ServerName(d.server(t, hsName).name)
}

func (d *Deployment) GetConfig() *config.Complement { return d.cfg }

// Network is the Docker network of the containers: there is none.
func (d *Deployment) Network() string { return "" }

// ContainerID names what a container ID names for Docker: the server's data dir.
func (d *Deployment) ContainerID(t ct.TestLike, hsName string) string {
	t.Helper()
	return d.server(t, hsName).dataDir
}

func (d *Deployment) Restart(t ct.TestLike) error {
	t.Helper()
	for _, name := range d.names() {
		hs := d.servers[name]
		if err := hs.stop(d.cfg.SpawnHSTimeout); err != nil {
			t.Logf("Restart: %s", err)
		}
		if err := hs.start(d.settings, d.cfg.SpawnHSTimeout); err != nil {
			t.Errorf("Restart: %s", err)
			return err
		}
		d.clients.repoint(name, hs.clientURL())
	}
	return nil
}

func (d *Deployment) StopServer(t ct.TestLike, hsName string) {
	t.Helper()
	t.Logf("StopServer %s", hsName)
	if err := d.server(t, hsName).stop(d.cfg.SpawnHSTimeout); err != nil {
		t.Logf("StopServer: %s", err)
	}
}

func (d *Deployment) StartServer(t ct.TestLike, hsName string) {
	t.Helper()
	t.Logf("StartServer %s", hsName)
	hs := d.server(t, hsName)
	if err := hs.start(d.settings, d.cfg.SpawnHSTimeout); err != nil {
		ct.Fatalf(t, "StartServer: %s", err)
	}
	d.clients.repoint(hsName, hs.clientURL())
}

func (d *Deployment) PauseServer(t ct.TestLike, hsName string) {
	t.Helper()
	t.Logf("PauseServer %s", hsName)
	if err := d.server(t, hsName).pause(); err != nil {
		ct.Fatalf(t, "PauseServer: %s", err)
	}
}

func (d *Deployment) UnpauseServer(t ct.TestLike, hsName string) {
	t.Helper()
	t.Logf("UnpauseServer %s", hsName)
	if err := d.server(t, hsName).unpause(); err != nil {
		ct.Fatalf(t, "UnpauseServer: %s", err)
	}
}

// Destroy stops every server of the deployment (a dirty one lives until the package's tests
// end). Logs stay in the deployment's directory; data dirs go unless CAIRN_COMPLEMENT_KEEP_DATA=1.
func (d *Deployment) Destroy(t ct.TestLike) {
	t.Helper()
	failed := t.Failed()
	if failed || d.cfg.AlwaysPrintServerLogs {
		for _, name := range d.names() {
			t.Logf("Server log of %s: %s", name, d.servers[name].logPath)
			if d.cfg.AlwaysPrintServerLogs {
				t.Logf("%s", tailOf(d.servers[name].logPath, 1<<20))
			}
		}
	}
	if d.dirty {
		return
	}
	d.runPostTestScript(t, t.Name(), failed)
	d.destroy(!d.settings.keepData)
}

func (d *Deployment) destroy(removeData bool) {
	var wg sync.WaitGroup
	for _, hs := range d.servers {
		wg.Go(func() { _ = hs.stop(d.cfg.SpawnHSTimeout) })
	}
	wg.Wait()
	d.transport.CloseIdleConnections()
	if removeData {
		for name, hs := range d.servers {
			os.RemoveAll(hs.dataDir)
			os.RemoveAll(filepath.Join(d.dir, name, "tls"))
			os.Remove(filepath.Join(d.dir, name))
		}
	}
	untrack(d)
}

// runPostTestScript honours COMPLEMENT_POST_TEST_SCRIPT, called per server as Complement calls
// it per container: <script> <data dir> <test name> <failed>.
func (d *Deployment) runPostTestScript(t ct.TestLike, testName string, failed bool) {
	if d.cfg.PostTestScript == "" {
		return
	}
	for _, name := range d.names() {
		out, err := exec.Command(d.cfg.PostTestScript, d.servers[name].dataDir, testName, strconv.FormatBool(failed)).CombinedOutput()
		if err != nil {
			t.Logf("COMPLEMENT_POST_TEST_SCRIPT for %s: %s\n%s", name, err, out)
		}
	}
}
