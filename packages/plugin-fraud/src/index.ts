/**
 * `@baql/plugin-fraud`: a fraud-patterns macro pack for baql. Macros are named query fragments:
 * `user:alice since 7d AND @failedLogins | count by ip`. Also teaches the catalog the device and
 * geography attributes fraud analysts filter on.
 *
 * @example
 * ```json
 * { "plugins": ["@baql/plugin-fraud"] }
 * ```
 * @module
 */
import { definePlugin, type BaqlPlugin, type Macro } from '@baql/core';

/** The macros of the pack, by name (use them as `@name`). */
export const fraudMacros: Readonly<Record<string, Macro>> = {
  failedLogins: {
    query: 'type:login result:Failure',
    description: 'failed sign-ins (credential stuffing, brute force)',
  },
  newDeviceLogins: {
    query: 'type:login newDevice:true',
    description: 'sign-ins from a device the user never used before',
  },
  mfaFailures: {
    query: 'type:(mfaChallenge OR mfaEnrollment) result:Failure',
    description: 'failed MFA challenges or enrollments',
  },
  payeeChanges: {
    query: 'type:managePayee OR (type:billPay payee:*)',
    description: 'payees added or changed, and payments to payees',
  },
  newDeviceNewPayee: {
    query: '@newDeviceLogins OR type:managePayee OR type:managePayment',
    description: 'the new-device → new-payee → payment sequence (read it per user, newest first)',
  },
  largePayments: {
    query: 'type:(transfer OR billPay OR managePayment) amount>=5000',
    description: 'transfers and payments of 5000 or more',
  },
  credentialChanges: {
    query: 'type:(passwordChange OR profileUpdate OR mfaEnrollment)',
    description: 'password, profile and MFA changes (account takeover often starts here)',
  },
  accountTakeover: {
    query: '@newDeviceLogins OR @credentialChanges OR @payeeChanges',
    description: 'the signals of an account takeover, together',
  },
};

/** The plugin. */
export const fraudPlugin: BaqlPlugin = definePlugin({
  name: '@baql/plugin-fraud',
  description: 'Fraud-pattern macros (@failedLogins, @newDeviceNewPayee, @accountTakeover, …)',
  macros: fraudMacros,
  catalog: {
    fields: [
      {
        name: 'device',
        target: 'attribute',
        attribute: 'ReqCtx_deviceId',
        description: 'device id',
      },
      {
        name: 'country',
        target: 'attribute',
        attribute: 'geoCountry',
        description: 'country of the client IP',
      },
      {
        name: 'city',
        target: 'attribute',
        attribute: 'geoCity',
        description: 'city of the client IP',
      },
      { name: 'payee', target: 'attribute', attribute: 'payeeName', description: 'payee name' },
    ],
    attributes: [
      {
        name: 'newDevice',
        description: 'true on the first sign-in from a device',
        examples: ['true'],
      },
      { name: 'ReqCtx_deviceId', description: 'device id' },
      { name: 'geoCountry', description: 'country of the client IP' },
      { name: 'geoCity', description: 'city of the client IP' },
      { name: 'authMethod', description: 'how the user authenticated' },
      { name: 'payeeName', description: 'payee name' },
    ],
  },
});

export default fraudPlugin;
