// The accounts part of the client-server API (issue 4), as one list for server/app.ts:
// registration and login, devices, profiles, account data, filters, capabilities, push rules
// and the user directory.
import type { Context } from '../context.ts';
import type { Endpoint } from '../http/endpoint.ts';
import { changePassword } from './account/change-password.ts';
import { deactivateAccount } from './account/deactivate-account.ts';
import { getLoginFlows } from './account/get-login-flows.ts';
import { getRegistrationTokenValidity } from './account/get-registration-token-validity.ts';
import { getUsernameAvailability } from './account/get-username-availability.ts';
import { login } from './account/login.ts';
import { logout } from './account/logout.ts';
import { logoutAll } from './account/logout-all.ts';
import { refresh } from './account/refresh.ts';
import { register } from './account/register.ts';
import { whoami } from './account/whoami.ts';
import { getAccountData } from './account-data/get-account-data.ts';
import { getRoomAccountData } from './account-data/get-room-account-data.ts';
import { setAccountData } from './account-data/set-account-data.ts';
import { setRoomAccountData } from './account-data/set-room-account-data.ts';
import { getCapabilities } from './capabilities/get-capabilities.ts';
import { deleteDevice } from './devices/delete-device.ts';
import { deleteDevices } from './devices/delete-devices.ts';
import { getDevice } from './devices/get-device.ts';
import { getDevices } from './devices/get-devices.ts';
import { updateDevice } from './devices/update-device.ts';
import { createFilter } from './filters/create-filter.ts';
import { getFilter } from './filters/get-filter.ts';
import { getAvatarUrl } from './profile/get-avatar-url.ts';
import { getDisplayname } from './profile/get-displayname.ts';
import { getProfile } from './profile/get-profile.ts';
import { setAvatarUrl } from './profile/set-avatar-url.ts';
import { setDisplayname } from './profile/set-displayname.ts';
import { deletePushRule } from './push-rules/delete-push-rule.ts';
import { getGlobalPushRules } from './push-rules/get-global-push-rules.ts';
import { getPushRule } from './push-rules/get-push-rule.ts';
import { getPushRuleActions } from './push-rules/get-push-rule-actions.ts';
import { getPushRuleEnabled } from './push-rules/get-push-rule-enabled.ts';
import { getPushRules } from './push-rules/get-push-rules.ts';
import { setPushRule } from './push-rules/set-push-rule.ts';
import { setPushRuleActions } from './push-rules/set-push-rule-actions.ts';
import { setPushRuleEnabled } from './push-rules/set-push-rule-enabled.ts';
import { searchUserDirectory } from './user-directory/search-user-directory.ts';

// biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
export const accountEndpoints: readonly Endpoint<Context, any, any, any>[] = [
  register,
  getUsernameAvailability,
  getRegistrationTokenValidity,
  getLoginFlows,
  login,
  refresh,
  logout,
  logoutAll,
  whoami,
  changePassword,
  deactivateAccount,
  getDevices,
  getDevice,
  updateDevice,
  deleteDevice,
  deleteDevices,
  getProfile,
  getDisplayname,
  setDisplayname,
  getAvatarUrl,
  setAvatarUrl,
  getAccountData,
  setAccountData,
  getRoomAccountData,
  setRoomAccountData,
  createFilter,
  getFilter,
  getCapabilities,
  getPushRules,
  getGlobalPushRules,
  getPushRule,
  setPushRule,
  deletePushRule,
  getPushRuleEnabled,
  setPushRuleEnabled,
  getPushRuleActions,
  setPushRuleActions,
  searchUserDirectory,
];
