'use strict';
// AWS IAM, the role part: roles with trust policies, inline and attached
// policies, tags. Policy documents are returned URL-encoded as IAM does.

const { modelError, nowIso } = require('./common');
const { randomChars } = require('../state');

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const QUOTAS = { roles: 1000, tagsPerRole: 50, inlinePolicyChars: 10240, trustPolicyChars: 2048, attachedPerRole: 10 };

function I(ctx) {
  return ctx.world.iam;
}

function err(ctx, shape, message) {
  return modelError(ctx.model, shape, message);
}

function quota(ctx, name) {
  const q = ctx.config.quotas || {};
  return q[name] !== undefined ? q[name] : QUOTAS[name];
}

function roleFor(ctx, name) {
  const r = I(ctx).roles[String(name).toLowerCase()];
  if (!r || r.ownerAccount !== ctx.account) throw err(ctx, 'NoSuchEntityException', `The role with name ${name} cannot be found.`);
  return r;
}

// RFC 3986 percent-encoding, the form IAM uses for policy documents.
function encodePolicy(doc) {
  return encodeURIComponent(doc).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function checkPolicy(ctx, doc, trust) {
  let parsed;
  try {
    parsed = JSON.parse(doc);
  } catch (_) {
    throw err(ctx, 'MalformedPolicyDocumentException', 'This policy contains invalid Json');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || parsed.Statement === undefined) {
    throw err(ctx, 'MalformedPolicyDocumentException', 'Syntax errors in policy.');
  }
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  for (const s of statements) {
    if (!s || typeof s !== 'object' || !['Allow', 'Deny'].includes(s.Effect)) {
      throw err(ctx, 'MalformedPolicyDocumentException', 'Syntax errors in policy.');
    }
    if (trust && s.Resource !== undefined) throw err(ctx, 'MalformedPolicyDocumentException', 'Has prohibited field Resource');
    if (trust && s.Principal === undefined && s.NotPrincipal === undefined) {
      throw err(ctx, 'MalformedPolicyDocumentException', 'AssumeRolepolicy contained an invalid principal: missing Principal');
    }
  }
}

const nonWhitespace = (s) => s.replace(/\s+/g, '').length;

function checkTrustSize(ctx, role, doc) {
  if (nonWhitespace(doc) > quota(ctx, 'trustPolicyChars')) {
    throw err(ctx, 'LimitExceededException', `Cannot exceed quota for ACLSizePerRole: ${quota(ctx, 'trustPolicyChars')}`);
  }
}

function roleView(r, withTags = true) {
  return {
    Path: r.Path,
    RoleName: r.RoleName,
    RoleId: r.RoleId,
    Arn: r.Arn,
    CreateDate: r.CreateDate,
    AssumeRolePolicyDocument: encodePolicy(r.AssumeRolePolicyDocument),
    Description: r.Description,
    MaxSessionDuration: r.MaxSessionDuration,
    PermissionsBoundary: withTags ? r.PermissionsBoundary : undefined,
    Tags: withTags && r.Tags.length ? r.Tags : undefined,
    RoleLastUsed: withTags ? {} : undefined,
  };
}

// Marker paging over a sorted array of items (strings or records).
function markerPage(ctx, items, key, marker, maxItems) {
  const max = maxItems || 100;
  let start = 0;
  if (marker !== undefined) {
    start = items.findIndex((x) => key(x) === marker);
    if (start < 0) throw err(ctx, 'InvalidInputException', 'Invalid Marker.');
  }
  const page = items.slice(start, start + max);
  const next = items[start + max];
  return { page, IsTruncated: !!next, Marker: next ? key(next) : undefined };
}

function CreateRole(ctx, input) {
  const key = input.RoleName.toLowerCase();
  if (I(ctx).roles[key]) throw err(ctx, 'EntityAlreadyExistsException', `Role with name ${input.RoleName} already exists.`);
  const path = input.Path || '/';
  checkPolicy(ctx, input.AssumeRolePolicyDocument, true);
  checkTrustSize(ctx, null, input.AssumeRolePolicyDocument);
  if ((input.Tags || []).length > quota(ctx, 'tagsPerRole')) throw err(ctx, 'LimitExceededException', `Cannot exceed quota for TagsPerRole: ${quota(ctx, 'tagsPerRole')}`);
  if (Object.values(I(ctx).roles).filter((r) => r.ownerAccount === ctx.account).length >= quota(ctx, 'roles')) {
    throw err(ctx, 'LimitExceededException', `Cannot exceed quota for RolesPerAccount: ${quota(ctx, 'roles')}`);
  }
  const r = {
    Path: path,
    RoleName: input.RoleName,
    RoleId: `AROA${randomChars(17, UPPER)}`,
    Arn: `arn:aws:iam::${ctx.account}:role${path}${input.RoleName}`,
    CreateDate: nowIso(ctx),
    AssumeRolePolicyDocument: input.AssumeRolePolicyDocument,
    Description: input.Description,
    MaxSessionDuration: input.MaxSessionDuration || 3600,
    PermissionsBoundary: input.PermissionsBoundary
      ? { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: input.PermissionsBoundary } : undefined,
    Tags: (input.Tags || []).map((t) => ({ Key: t.Key, Value: t.Value })),
    policies: {},
    attached: [],
    ownerAccount: ctx.account,
  };
  I(ctx).roles[key] = r;
  ctx.created = r;
  return { Role: roleView(r) };
}

function GetRole(ctx, input) {
  return { Role: roleView(roleFor(ctx, input.RoleName)) };
}

function ListRoles(ctx, input) {
  const prefix = input.PathPrefix || '/';
  const roles = Object.values(I(ctx).roles)
    .filter((r) => r.ownerAccount === ctx.account && r.Path.startsWith(prefix))
    .sort((a, b) => (a.RoleName.toLowerCase() < b.RoleName.toLowerCase() ? -1 : 1));
  const p = markerPage(ctx, roles, (r) => r.RoleName, input.Marker, input.MaxItems);
  return { Roles: p.page.map((r) => roleView(r, false)), IsTruncated: p.IsTruncated, Marker: p.Marker };
}

function UpdateRole(ctx, input) {
  const r = roleFor(ctx, input.RoleName);
  if (input.Description !== undefined) r.Description = input.Description;
  if (input.MaxSessionDuration !== undefined) r.MaxSessionDuration = input.MaxSessionDuration;
  return {};
}

function UpdateAssumeRolePolicy(ctx, input) {
  const r = roleFor(ctx, input.RoleName);
  checkPolicy(ctx, input.PolicyDocument, true);
  checkTrustSize(ctx, r, input.PolicyDocument);
  r.AssumeRolePolicyDocument = input.PolicyDocument;
  return {};
}

function DeleteRole(ctx, input) {
  const r = roleFor(ctx, input.RoleName);
  if (Object.keys(r.policies).length) throw err(ctx, 'DeleteConflictException', 'Cannot delete entity, must delete policies first.');
  if (r.attached.length) throw err(ctx, 'DeleteConflictException', 'Cannot delete entity, must detach all policies first.');
  delete I(ctx).roles[r.RoleName.toLowerCase()];
  return {};
}

function PutRolePolicy(ctx, input) {
  const r = roleFor(ctx, input.RoleName);
  checkPolicy(ctx, input.PolicyDocument, false);
  const others = Object.entries(r.policies).filter(([n]) => n !== input.PolicyName).reduce((n, [, d]) => n + nonWhitespace(d), 0);
  if (others + nonWhitespace(input.PolicyDocument) > quota(ctx, 'inlinePolicyChars')) {
    throw err(ctx, 'LimitExceededException', `Maximum policy size of ${quota(ctx, 'inlinePolicyChars')} bytes exceeded for role ${r.RoleName}`);
  }
  r.policies[input.PolicyName] = input.PolicyDocument;
  return {};
}

function GetRolePolicy(ctx, input) {
  const r = roleFor(ctx, input.RoleName);
  const doc = r.policies[input.PolicyName];
  if (doc === undefined) throw err(ctx, 'NoSuchEntityException', `The role policy with name ${input.PolicyName} cannot be found.`);
  return { RoleName: r.RoleName, PolicyName: input.PolicyName, PolicyDocument: encodePolicy(doc) };
}

function ListRolePolicies(ctx, input) {
  const r = roleFor(ctx, input.RoleName);
  const p = markerPage(ctx, Object.keys(r.policies).sort(), (n) => n, input.Marker, input.MaxItems);
  return { PolicyNames: p.page, IsTruncated: p.IsTruncated, Marker: p.Marker };
}

function DeleteRolePolicy(ctx, input) {
  const r = roleFor(ctx, input.RoleName);
  if (r.policies[input.PolicyName] === undefined) throw err(ctx, 'NoSuchEntityException', `The role policy with name ${input.PolicyName} cannot be found.`);
  delete r.policies[input.PolicyName];
  return {};
}

function AttachRolePolicy(ctx, input) {
  const r = roleFor(ctx, input.RoleName);
  if (!/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\//.test(input.PolicyArn)) throw err(ctx, 'InvalidInputException', `ARN ${input.PolicyArn} is not valid.`);
  if (!r.attached.includes(input.PolicyArn)) {
    if (r.attached.length >= quota(ctx, 'attachedPerRole')) throw err(ctx, 'LimitExceededException', `Cannot exceed quota for PoliciesPerRole: ${quota(ctx, 'attachedPerRole')}`);
    r.attached.push(input.PolicyArn);
  }
  return {};
}

function DetachRolePolicy(ctx, input) {
  const r = roleFor(ctx, input.RoleName);
  if (!r.attached.includes(input.PolicyArn)) throw err(ctx, 'NoSuchEntityException', `Policy ${input.PolicyArn} was not found.`);
  r.attached = r.attached.filter((a) => a !== input.PolicyArn);
  return {};
}

function ListAttachedRolePolicies(ctx, input) {
  const r = roleFor(ctx, input.RoleName);
  const items = r.attached.map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() }));
  const p = markerPage(ctx, items, (x) => x.PolicyArn, input.Marker, input.MaxItems);
  return { AttachedPolicies: p.page, IsTruncated: p.IsTruncated, Marker: p.Marker };
}

function TagRole(ctx, input) {
  const r = roleFor(ctx, input.RoleName);
  const tags = [...r.Tags];
  for (const t of input.Tags) {
    if (t.Key.toLowerCase().startsWith('aws:')) throw err(ctx, 'InvalidInputException', `Tag keys starting with 'aws:' are reserved for AWS use.`);
    const i = tags.findIndex((x) => x.Key === t.Key);
    if (i >= 0) tags[i] = { Key: t.Key, Value: t.Value };
    else tags.push({ Key: t.Key, Value: t.Value });
  }
  if (tags.length > quota(ctx, 'tagsPerRole')) throw err(ctx, 'LimitExceededException', `Cannot exceed quota for TagsPerRole: ${quota(ctx, 'tagsPerRole')}`);
  r.Tags = tags;
  return {};
}

function UntagRole(ctx, input) {
  const r = roleFor(ctx, input.RoleName);
  r.Tags = r.Tags.filter((t) => !input.TagKeys.includes(t.Key));
  return {};
}

function ListRoleTags(ctx, input) {
  const r = roleFor(ctx, input.RoleName);
  const p = markerPage(ctx, r.Tags, (t) => t.Key, input.Marker, input.MaxItems);
  return { Tags: p.page, IsTruncated: p.IsTruncated, Marker: p.Marker };
}

module.exports = {
  name: 'iam',
  modelFile: 'iam-2010-05-08.json',
  protocolName: 'query',
  global: true,
  seedTypes: { role: 'CreateRole', rolePolicy: 'PutRolePolicy' },
  handlers: {
    CreateRole, GetRole, ListRoles, UpdateRole, UpdateAssumeRolePolicy, DeleteRole,
    PutRolePolicy, GetRolePolicy, ListRolePolicies, DeleteRolePolicy,
    AttachRolePolicy, DetachRolePolicy, ListAttachedRolePolicies,
    TagRole, UntagRole, ListRoleTags,
  },
};
