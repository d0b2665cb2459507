// Package deployer runs Complement's tests against Cairn processes instead of Docker containers.
//
// Complement's test packages each have a TestMain calling complement.TestMain(m, namespace);
// run.sh replaces that file, through `go test -overlay`, by one calling this package's TestMain,
// which registers the deployment below with complement.WithDeployment.
package deployer

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/matrix-org/complement"
	"github.com/matrix-org/complement/config"
	"github.com/matrix-org/complement/ct"
)

var (
	settingsOnce   sync.Once
	loadedSettings *settings
	settingsErr    error

	liveMu sync.Mutex
	live   = map[*Deployment]struct{}{}

	dirtyMu         sync.Mutex
	dirtyDeployment *Deployment
)

// TestMain is what a Complement test package's TestMain calls.
func TestMain(m *testing.M, namespace string) {
	complement.TestMain(m, namespace,
		complement.WithDeployment(func(t ct.TestLike, numServers int, cfg *config.Complement) complement.Deployment {
			return Deploy(t, numServers, cfg, namespace)
		}),
		complement.WithCleanup(func(*config.Complement) { destroyAll() }),
	)
}

// Deploy starts hs1..hsN for a test.
func Deploy(t ct.TestLike, numServers int, cfg *config.Complement, namespace string) complement.Deployment {
	t.Helper()
	s, err := packageSettings(namespace)
	if err != nil {
		ct.Fatalf(t, "Cairn deployer: %s", err)
	}
	if !cfg.EnableDirtyRuns {
		return deploy(t, numServers, cfg, s)
	}
	dirtyMu.Lock()
	defer dirtyMu.Unlock()
	if dirtyDeployment == nil {
		dirtyDeployment = deploy(t, numServers, cfg, s)
		dirtyDeployment.dirty = true
	} else if err := dirtyDeployment.addServers(numServers); err != nil {
		ct.Fatalf(t, "Deploy: %s", err)
	}
	return dirtyDeployment
}

// packageSettings reads the settings once; each test package gets its own output directory.
func packageSettings(namespace string) (*settings, error) {
	settingsOnce.Do(func() {
		loadedSettings, settingsErr = loadSettings()
		if settingsErr == nil {
			loadedSettings.outDir = filepath.Join(loadedSettings.outDir, safeName(namespace))
			settingsErr = os.MkdirAll(loadedSettings.outDir, 0o755)
		}
	})
	return loadedSettings, settingsErr
}

func track(d *Deployment) {
	liveMu.Lock()
	defer liveMu.Unlock()
	live[d] = struct{}{}
}

func untrack(d *Deployment) {
	liveMu.Lock()
	defer liveMu.Unlock()
	delete(live, d)
}

// destroyAll stops what tests left running: the dirty deployment, and any a test did not Destroy.
func destroyAll() {
	liveMu.Lock()
	left := make([]*Deployment, 0, len(live))
	for d := range live {
		left = append(left, d)
	}
	liveMu.Unlock()
	for _, d := range left {
		if !d.dirty {
			fmt.Fprintf(os.Stderr, "Cairn deployer: stopping a deployment its test did not destroy (%s)\n", d.dir)
		}
		d.destroy(!d.settings.keepData)
	}
	removeTemplate()
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// safeName turns a test name (with slashes and spaces) into a directory name.
func safeName(name string) string {
	name = unsafeChars.ReplaceAllString(name, "_")
	if len(name) > 100 {
		name = name[:100]
	}
	return name
}
