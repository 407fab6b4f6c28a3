'use strict';
// Resource Groups Tagging API, GetResources only: the tags of every tagged
// VPC Lattice resource of the caller's account and region, filtered by tag
// and resource type, in pages. Other services' resources are not indexed.
//
// Documented behaviour kept here: TagFilters are ANDed, the values of one
// filter ORed, a filter without values matches any value of its key; a
// resource type filter is "service" or "service:type", the type being the
// one the ARN names ("service/svc-1" is vpc-lattice:service,
// "service/svc-1/listener/listener-1" vpc-lattice:listener); ResourceARNList
// cannot be combined with paging or filters, and unknown ARNs in it are left
// out silently; the last page's PaginationToken is the empty string.

const { modelError } = require('./common');

const LATTICE_COLLECTIONS = ['serviceNetworks', 'services', 'listeners', 'rules', 'targetGroups', 'snvas', 'snsas', 'accessLogs'];

function invalid(ctx, message) {
  return modelError(ctx.model, 'InvalidParameterException', message);
}

// "vpc-lattice:service" for arn:aws:vpc-lattice:REGION:ACCOUNT:service/svc-1.
function resourceType(arn) {
  const parts = arn.split(':');
  if (parts.length < 6) return null;
  const segs = parts.slice(5).join(':').split('/');
  const type = segs.length >= 2 ? segs[segs.length - 2] : segs[0];
  return `${parts[2]}:${type}`;
}

function typeMatches(filters, arn) {
  if (!filters || filters.length === 0) return true;
  const t = resourceType(arn);
  return t !== null && filters.some((f) => (f.includes(':') ? f === t : t.startsWith(`${f}:`)));
}

function tagsMatch(filters, tags) {
  return (filters || []).every((f) => Object.prototype.hasOwnProperty.call(tags, f.Key) &&
    (!f.Values || f.Values.length === 0 || f.Values.includes(tags[f.Key])));
}

// Every tagged Lattice record of the account and region, in creation order.
function indexed(ctx) {
  const out = [];
  for (const coll of LATTICE_COLLECTIONS) {
    for (const rec of Object.values(ctx.world.lattice[coll] || {})) {
      if (rec.region !== ctx.region || rec.ownerAccount !== ctx.account) continue;
      if (!rec.tags || Object.keys(rec.tags).length === 0) continue;
      if (rec.status === 'DELETE_IN_PROGRESS') continue;
      out.push(rec);
    }
  }
  return out.sort((a, b) => a._seq - b._seq);
}

function mapping(rec) {
  return {
    ResourceARN: rec.arn,
    Tags: Object.keys(rec.tags).sort().map((k) => ({ Key: k, Value: rec.tags[k] })),
  };
}

function GetResources(ctx, input) {
  const paging = input.PaginationToken !== undefined && input.PaginationToken !== '';
  if (input.ResourceARNList) {
    if (paging || input.ResourcesPerPage !== undefined || input.TagsPerPage !== undefined) {
      throw invalid(ctx, 'ResourceARNList cannot be combined with ResourcesPerPage, TagsPerPage or PaginationToken');
    }
    if ((input.TagFilters || []).length || (input.ResourceTypeFilters || []).length) {
      throw invalid(ctx, 'ResourceARNList cannot be combined with TagFilters or ResourceTypeFilters');
    }
    const wanted = new Set(input.ResourceARNList);
    return { PaginationToken: '', ResourceTagMappingList: indexed(ctx).filter((r) => wanted.has(r.arn)).map(mapping) };
  }
  const perPage = input.ResourcesPerPage !== undefined ? input.ResourcesPerPage : 50;
  if (!(perPage >= 1 && perPage <= 100)) throw invalid(ctx, 'ResourcesPerPage must be between 1 and 100');
  for (const f of input.TagFilters || []) {
    if (!f.Key) throw invalid(ctx, 'Each TagFilter needs a Key');
  }
  for (const t of input.ResourceTypeFilters || []) {
    if (!/^[a-z0-9-]+(:[A-Za-z0-9-]+)?$/.test(t)) throw invalid(ctx, `Unsupported resource type filter ${t}`);
  }
  let after = 0;
  if (paging) {
    try {
      after = JSON.parse(Buffer.from(input.PaginationToken, 'base64').toString('utf8')).after;
      if (!Number.isInteger(after)) throw new Error('bad');
    } catch (_) {
      throw invalid(ctx, 'The PaginationToken is not valid');
    }
  }
  const all = indexed(ctx).filter((r) => r._seq > after && typeMatches(input.ResourceTypeFilters, r.arn) &&
    tagsMatch(input.TagFilters, r.tags));
  const page = all.slice(0, perPage);
  const token = all.length > perPage ? Buffer.from(JSON.stringify({ after: page[page.length - 1]._seq })).toString('base64') : '';
  return { PaginationToken: token, ResourceTagMappingList: page.map(mapping) };
}

module.exports = {
  name: 'tagging',
  modelFile: 'resourcegroupstaggingapi-2017-01-26.json',
  protocolName: 'json',
  handlers: { GetResources },
  // exported for the tests
  resourceType,
};
