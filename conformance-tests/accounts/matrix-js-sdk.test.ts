// Accounts as a real client meets them: `cairn start` as a process, driven by matrix-js-sdk.
// Register through its InteractiveAuth (dummy stage), log in with a password, whoami, set the
// display name, list devices, delete a device through a password UIA stage, log out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as sdk from 'matrix-js-sdk';
import { type CairnProcess, newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { dropScratchDatabase } from '../support/databases.ts';
import { PROCESS_BACKENDS } from '../support/js-sdk-clients.ts';

const PASSWORD = 'a long and unguessable passphrase';

for (const backend of PROCESS_BACKENDS) {
  describe(`matrix-js-sdk against cairn start on ${backend.name}`, { skip: backend.skip }, () => {
    let server: CairnProcess;
    let databaseUrl: string | undefined;

    before(async () => {
      databaseUrl = await backend.databaseUrl();
      server = await startCairn(
        testEnv(newDataDir(), {
          CAIRN_SERVER_NAME: 'cairn.test',
          CAIRN_ENABLE_REGISTRATION: 'true',
          ...(databaseUrl ? { CAIRN_DATABASE_URL: databaseUrl } : {}),
        }),
      );
    });
    after(async () => {
      await server?.stop();
      if (databaseUrl) await dropScratchDatabase(process.env.CAIRN_TEST_DATABASE_URL!, databaseUrl);
    });

    test('register, log in, whoami, display name, devices, UIA device deletion, logout', async () => {
      const baseUrl = server.clientUrl;
      const anonymous = sdk.createClient({ baseUrl });
      assert.equal(await anonymous.isUsernameAvailable('alice'), true);

      const stages: string[] = [];
      const registration = new sdk.InteractiveAuth({
        matrixClient: anonymous,
        doRequest: (auth) =>
          anonymous.registerRequest({
            username: 'alice',
            password: PASSWORD,
            initial_device_display_name: 'registration device',
            ...(auth ? { auth } : {}),
          }),
        stateUpdated: (stage) => {
          stages.push(stage);
        },
        requestEmailToken: () => Promise.reject(new Error('no email stage is offered')),
      });
      const registered = (await registration.attemptAuth()) as sdk.RegisterResponse;
      assert.equal(registered.user_id, '@alice:cairn.test');
      assert.ok(registered.access_token);
      assert.equal(await anonymous.isUsernameAvailable('alice'), false);

      const flows = await anonymous.loginFlows();
      assert.deepEqual(flows.flows, [{ type: 'm.login.password' }]);
      const login = await anonymous.loginRequest({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'alice' },
        password: PASSWORD,
        initial_device_display_name: 'js-sdk test',
      });
      assert.equal(login.user_id, '@alice:cairn.test');

      const alice = sdk.createClient({
        baseUrl,
        accessToken: login.access_token,
        userId: login.user_id,
        deviceId: login.device_id,
      });
      const whoami = await alice.whoami();
      assert.deepEqual(whoami, {
        user_id: '@alice:cairn.test',
        device_id: login.device_id,
        is_guest: false,
      });

      await alice.setDisplayName('Alice in Cairn');
      assert.equal((await alice.getProfileInfo('@alice:cairn.test')).displayname, 'Alice in Cairn');

      const { devices } = await alice.getDevices();
      assert.deepEqual(
        devices.map((d) => [d.device_id, d.display_name]).sort(),
        [
          [registered.device_id, 'registration device'],
          [login.device_id, 'js-sdk test'],
        ].sort(),
      );

      // Deleting the registration device goes through UIA with the password stage.
      const deletion = new sdk.InteractiveAuth({
        matrixClient: alice,
        doRequest: (auth) => alice.deleteDevice(registered.device_id!, auth ?? undefined),
        stateUpdated: (stage, status) => {
          stages.push(stage);
          if (stage === 'm.login.password' && !status.errcode) {
            void deletion.submitAuthDict({
              type: 'm.login.password',
              identifier: { type: 'm.id.user', user: '@alice:cairn.test' },
              password: PASSWORD,
            });
          }
        },
        requestEmailToken: () => Promise.reject(new Error('no email stage is offered')),
      });
      await deletion.attemptAuth();
      assert.deepEqual(
        (await alice.getDevices()).devices.map((d) => d.device_id),
        [login.device_id],
      );
      // The sdk completed m.login.dummy by itself and asked us only for the password.
      assert.deepEqual(stages, ['m.login.password']);

      await alice.logout();
      await assert.rejects(alice.whoami(), (error: sdk.MatrixError) => {
        assert.equal(error.errcode, 'M_UNKNOWN_TOKEN');
        return true;
      });
    });
  });
}
