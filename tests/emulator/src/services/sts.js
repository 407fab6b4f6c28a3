'use strict';
// AWS STS: GetCallerIdentity, AssumeRole and AssumeRoleWithWebIdentity.
// Credentials it issues are kept in the world so any process sharing the
// state file accepts them (with their session token) until they expire.

const { modelError } = require('./common');
const { randomChars } = require('../state');

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function GetCallerIdentity(ctx) {
  return { UserId: ctx.userId || 'AIDAEMULATOREXAMPLE01', Account: ctx.account, Arn: ctx.callerArn };
}

// Claims of a JWT, or null when the token is not one.
function jwtClaims(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch (_) {
    return null;
  }
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/;

function roleArnParts(ctx, roleArn) {
  const m = ROLE_ARN.exec(roleArn);
  if (!m) throw modelError(ctx.model, 'MalformedPolicyDocumentException', `${roleArn} is not a valid role ARN`);
  return { account: m[1], roleName: m[2] };
}

// Mints a session for the role and remembers it; the shared part of both
// AssumeRole calls.
function mintSession(ctx, account, roleName, sessionName, durationSeconds) {
  // A role that exists in the emulated IAM caps the duration like AWS does.
  const role = ctx.world.iam.roles[roleName.toLowerCase()];
  const maxSession = role ? role.MaxSessionDuration || 3600 : 43200;
  let duration = durationSeconds || 3600;
  if (duration > maxSession) {
    throw modelError(ctx.model, 'ValidationError',
      `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
  }
  if (ctx.config.maxSessionSeconds) duration = Math.min(duration, ctx.config.maxSessionSeconds);
  const accessKeyId = `ASIA${randomChars(16, UPPER)}`;
  const secretAccessKey = randomChars(40, B64);
  const sessionToken = `IQoJb3JpZ2luX2VtdWxhdG9y${randomChars(120, B64)}`;
  const expiration = new Date(ctx.now + duration * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const roleId = role ? role.RoleId : `AROA${randomChars(17, UPPER)}`;
  const arn = `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
  ctx.world.sts.sessions[accessKeyId] = {
    secretAccessKey, sessionToken, expiration, account, arn, userId: `${roleId}:${sessionName}`,
  };
  // Forget expired sessions so the state does not grow without bound.
  for (const [k, s] of Object.entries(ctx.world.sts.sessions)) if (Date.parse(s.expiration) < ctx.now) delete ctx.world.sts.sessions[k];
  ctx.dirty = true;
  return {
    Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Expiration: expiration },
    AssumedRoleUser: { AssumedRoleId: `${roleId}:${sessionName}`, Arn: arn },
  };
}

// Signed by the caller; like the web identity call, the role's trust policy
// is not checked (see README, Known differences).
function AssumeRole(ctx, input) {
  const { account, roleName } = roleArnParts(ctx, input.RoleArn);
  const out = mintSession(ctx, account, roleName, input.RoleSessionName, input.DurationSeconds);
  return input.SourceIdentity ? { ...out, SourceIdentity: input.SourceIdentity } : out;
}

function AssumeRoleWithWebIdentity(ctx, input) {
  const { account, roleName } = roleArnParts(ctx, input.RoleArn);
  const claims = jwtClaims(input.WebIdentityToken);
  if (input.WebIdentityToken.trim() === '' || (input.WebIdentityToken.includes('.') && !claims)) {
    throw modelError(ctx.model, 'InvalidIdentityTokenException', 'Couldn\'t parse the web identity token');
  }
  if (claims && typeof claims.exp === 'number' && claims.exp * 1000 < ctx.now) {
    throw modelError(ctx.model, 'ExpiredTokenException', 'Token expired: current date/time is after the token\'s exp claim');
  }
  const out = mintSession(ctx, account, roleName, input.RoleSessionName, input.DurationSeconds);
  return {
    Credentials: out.Credentials,
    SubjectFromWebIdentityToken: (claims && claims.sub) || 'system:serviceaccount:default:default',
    AssumedRoleUser: out.AssumedRoleUser,
    Provider: (claims && claims.iss) || 'oidc.emulator.local',
    Audience: (claims && (Array.isArray(claims.aud) ? claims.aud[0] : claims.aud)) || 'sts.amazonaws.com',
  };
}

module.exports = {
  name: 'sts',
  modelFile: 'sts-2011-06-15.json',
  protocolName: 'query',
  global: false,
  seedTypes: {},
  handlers: { GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity },
};
