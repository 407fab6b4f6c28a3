#!/usr/bin/env python3
"""Writes schemas/<group>_<version>_<Kind>.schema.json for the CRD kinds
trellis reads, from the structural schemas of the CRDs (Gateway API v1.6.1
standard channel, AWS Gateway API Controller). Run by hand when the CRDs
move; its output is committed and embedded in the binary at build time.

    schemas/tools/gen-crd-schemas.py /work/shared/ref

What it takes from a CRD: the structure and its constraints (types,
required, enum, pattern, lengths, bounds, formats, defaults, list types).
What it leaves out: descriptions (prose is not ours to copy), the CEL
`x-kubernetes-validations` (trellis implements those rules in C, in
src/validate/rules_*.c) and `status` (never validated from git).
What it adds:
  - `additionalProperties: false` on every object with properties: the API
    server prunes unknown fields and `kubectl apply` (strict field
    validation) rejects them, so trellis does too;
  - `apiVersion` and `kind` as `const`, which is how the embedded schema set
    finds a kind's schema;
  - ObjectMeta, written here (the CRDs leave metadata as a bare object);
  - named definitions for the types the Gateway API repeats (Group, Kind,
    PortNumber, ...), and for any object schema used twice, so the files
    stay readable.
"""
import collections
import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)

GATEWAY = 'gateway-api/crds/standard/gateway.networking.k8s.io_%s.yaml'
AWS = 'aws-gateway-controller/crds/application-networking.k8s.aws_%s.yaml'

# (CRD file, kind, versions to write)
KINDS = [
    (GATEWAY % 'gatewayclasses', 'GatewayClass', ['v1', 'v1beta1']),
    (GATEWAY % 'gateways', 'Gateway', ['v1', 'v1beta1']),
    (GATEWAY % 'httproutes', 'HTTPRoute', ['v1', 'v1beta1']),
    (GATEWAY % 'grpcroutes', 'GRPCRoute', ['v1']),
    (GATEWAY % 'referencegrants', 'ReferenceGrant', ['v1beta1', 'v1']),
    (AWS % 'targetgrouppolicies', 'TargetGroupPolicy', ['v1alpha1']),
    (AWS % 'vpcassociationpolicies', 'VpcAssociationPolicy', ['v1alpha1']),
    (AWS % 'iamauthpolicies', 'IAMAuthPolicy', ['v1alpha1']),
    (AWS % 'accesslogpolicies', 'AccessLogPolicy', ['v1alpha1']),
    (AWS % 'serviceexports', 'ServiceExport', ['v1alpha1']),
    (AWS % 'serviceimports', 'ServiceImport', ['v1alpha1']),
    (AWS % 'servicenetworks', 'ServiceNetwork', ['v1alpha1']),
]

DNS_SUBDOMAIN = ('^[a-z0-9]([-a-z0-9]*[a-z0-9])?'
                 '(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')
DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
# Label and annotation keys: an optional DNS-subdomain prefix (at most 253
# characters) and "/", then a name of at most 63 characters.
QUALIFIED_NAME = ('^(?:(?=[^/]{1,253}/)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?'
                  '(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*/)?'
                  '[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$')
LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$'


def object_meta(name_rule):
    """ObjectMeta as kubectl apply accepts it: the fields people write, and
    the server-populated ones that exported manifests often still carry."""
    if name_rule == 'label':
        name = {'type': 'string', 'minLength': 1, 'maxLength': 63,
                'pattern': '^[a-z]([-a-z0-9]*[a-z0-9])?$'}
    else:
        name = {'type': 'string', 'minLength': 1, 'maxLength': 253,
                'pattern': DNS_SUBDOMAIN}
    loose_object = {'type': 'object'}
    return {
        'type': 'object',
        'required': ['name'],
        'additionalProperties': False,
        'properties': {
            'name': name,
            'generateName': {'type': 'string', 'maxLength': 253},
            'namespace': {'type': 'string', 'minLength': 1, 'maxLength': 63,
                          'pattern': DNS_LABEL},
            'labels': {
                'type': 'object',
                'propertyNames': {'maxLength': 317, 'pattern': QUALIFIED_NAME},
                'additionalProperties': {'type': 'string', 'maxLength': 63,
                                         'pattern': LABEL_VALUE},
            },
            'annotations': {
                'type': 'object',
                'propertyNames': {'maxLength': 317, 'pattern': QUALIFIED_NAME},
                'additionalProperties': {'type': 'string'},
            },
            'finalizers': {'type': 'array', 'items': {'type': 'string'}},
            'ownerReferences': {'type': 'array', 'items': loose_object},
            'uid': {'type': 'string'},
            'resourceVersion': {'type': 'string'},
            'generation': {'type': 'integer'},
            'creationTimestamp': {'type': ['string', 'null']},
            'deletionTimestamp': {'type': ['string', 'null']},
            'deletionGracePeriodSeconds': {'type': 'integer'},
            'selfLink': {'type': 'string'},
            'managedFields': {'type': 'array', 'items': loose_object},
        },
    }


# Scalar types the Gateway API repeats, by their exact constraints.
NAMED_SCALARS = {
    'Group': {'type': 'string', 'maxLength': 253,
              'pattern': '^$|' + DNS_SUBDOMAIN},
    'GroupDefaultCore': {'type': 'string', 'maxLength': 253, 'default': '',
                         'pattern': '^$|' + DNS_SUBDOMAIN},
    'GroupDefaultGateway': {'type': 'string', 'maxLength': 253,
                            'default': 'gateway.networking.k8s.io',
                            'pattern': '^$|' + DNS_SUBDOMAIN},
    'Kind': {'type': 'string', 'minLength': 1, 'maxLength': 63,
             'pattern': '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$'},
    'KindDefaultService': {'type': 'string', 'minLength': 1, 'maxLength': 63,
                           'default': 'Service',
                           'pattern': '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$'},
    'KindDefaultGateway': {'type': 'string', 'minLength': 1, 'maxLength': 63,
                           'default': 'Gateway',
                           'pattern': '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$'},
    'ObjectName': {'type': 'string', 'minLength': 1, 'maxLength': 253},
    'Namespace': {'type': 'string', 'minLength': 1, 'maxLength': 63,
                  'pattern': DNS_LABEL},
    'DNSSubdomain': {'type': 'string', 'minLength': 1, 'maxLength': 253,
                     'pattern': DNS_SUBDOMAIN},
    'Hostname': {'type': 'string', 'minLength': 1, 'maxLength': 253,
                 'pattern': '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?'
                            '(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'},
    'PortNumber': {'type': 'integer', 'format': 'int32', 'minimum': 1,
                   'maximum': 65535},
    'HeaderName': {'type': 'string', 'minLength': 1, 'maxLength': 256,
                   'pattern': "^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$"},
    'HeaderValue': {'type': 'string', 'minLength': 1, 'maxLength': 4096},
    'Duration': {'type': 'string',
                 'pattern': '^([0-9]{1,5}(h|m|s|ms)){1,4}$'},
    'BackendWeight': {'type': 'integer', 'format': 'int32', 'minimum': 0,
                      'maximum': 1000000, 'default': 1},
}

# Names for repeated objects, where the property they sit under says little.
RENAMES = {'AddItem': 'HTTPHeader', 'Default': 'FrontendTLSConfig',
           'RequestHeaderModifier': 'HTTPHeaderFilter', 'Path': 'HTTPPathModifier',
           'Selector': 'LabelSelector', 'Filter': 'RouteFilter'}

KEY_ORDER = ['$schema', '$comment', 'title', '$ref', 'type', 'format', 'enum',
             'const', 'default', 'minimum', 'maximum', 'minLength',
             'maxLength', 'pattern', 'minItems', 'maxItems', 'minProperties',
             'maxProperties', 'required', 'properties', 'propertyNames',
             'additionalProperties', 'items', 'x-kubernetes-list-type',
             'x-kubernetes-list-map-keys', 'x-kubernetes-map-type',
             'x-trellis-unique-properties', 'x-trellis-message', 'oneOf',
             'anyOf', 'allOf', 'not', 'definitions']


def canon(s):
    return json.dumps(s, sort_keys=True)


def ordered(s):
    if isinstance(s, list):
        return [ordered(x) for x in s]
    if not isinstance(s, dict):
        return s
    keys = sorted(s, key=lambda k: (KEY_ORDER.index(k) if k in KEY_ORDER
                                    else len(KEY_ORDER), k))
    out = {}
    for k in keys:
        if k in ('properties', 'definitions'):
            out[k] = {pk: ordered(pv) for pk, pv in s[k].items()}
        elif k in ('enum', 'const', 'default', 'required',
                   'x-kubernetes-list-map-keys'):
            out[k] = s[k]
        else:
            out[k] = ordered(s[k])
    return out


def clean(s):
    """The CRD's structural schema without prose and CEL, strict objects."""
    if isinstance(s, list):
        return [clean(x) for x in s]
    if not isinstance(s, dict):
        return s
    out = {}
    for k, v in s.items():
        if k in ('description', 'x-kubernetes-validations'):
            continue
        if k == 'properties':
            out[k] = {pk: clean(pv) for pk, pv in v.items()}
        elif k in ('enum', 'default', 'required', 'x-kubernetes-list-map-keys'):
            out[k] = v
        else:
            out[k] = clean(v)
    # Only structural object nodes: oneOf/anyOf branches in the CRDs carry
    # properties without a type, and are not closed.
    if (out.get('type') == 'object' and 'properties' in out
            and 'additionalProperties' not in out):
        out['additionalProperties'] = False
    return out


def camel(name):
    return name[:1].upper() + name[1:]


class Hoister:
    """Moves repeated subschemas into definitions."""

    def __init__(self):
        self.defs = {}
        self.by_canon = {}
        for name, schema in NAMED_SCALARS.items():
            self.by_canon[canon(schema)] = name

    def count(self, s, counter, name):
        if isinstance(s, dict):
            if 'properties' in s:
                c = canon(s)
                counter[c] += 1
                self.names.setdefault(c, name)
            for k, v in s.items():
                if k == 'properties':
                    for pk, pv in v.items():
                        self.count(pv, counter, camel(pk))
                elif k == 'items':
                    self.count(v, counter, name[:-1] if name.endswith('s')
                               else name + 'Item')
                elif isinstance(v, dict):
                    self.count(v, counter, name)
                elif isinstance(v, list):
                    for x in v:
                        self.count(x, counter, name)

    def replace(self, s, target, ref):
        if isinstance(s, list):
            return [self.replace(x, target, ref) for x in s]
        if not isinstance(s, dict):
            return s
        if canon(s) == target:
            return {'$ref': ref}
        out = {}
        for k, v in s.items():
            if k in ('enum', 'default', 'const', 'required',
                     'x-kubernetes-list-map-keys'):
                out[k] = v
            elif k == 'properties':
                out[k] = {pk: self.replace(pv, target, ref)
                          for pk, pv in v.items()}
            else:
                out[k] = self.replace(v, target, ref)
        return out

    def scalars(self, s):
        if isinstance(s, list):
            return [self.scalars(x) for x in s]
        if not isinstance(s, dict):
            return s
        name = self.by_canon.get(canon(s))
        if name:
            self.defs[name] = NAMED_SCALARS[name]
            return {'$ref': '#/definitions/' + name}
        out = {}
        for k, v in s.items():
            if k in ('enum', 'default', 'const', 'required',
                     'x-kubernetes-list-map-keys'):
                out[k] = v
            elif k == 'properties':
                out[k] = {pk: self.scalars(pv) for pk, pv in v.items()}
            else:
                out[k] = self.scalars(v)
        return out

    def run(self, spec):
        spec = self.scalars(spec)
        while True:
            counter = collections.Counter()
            self.names = {}
            self.count(spec, counter, 'Spec')
            for d in self.defs.values():
                self.count(d, counter, 'Def')
            repeated = [c for c, n in counter.items() if n >= 2]
            if not repeated:
                return spec
            target = max(repeated, key=len)
            name = RENAMES.get(self.names[target], self.names[target])
            base, i = name, 2
            while name in self.defs or name in NAMED_SCALARS:
                name = '%s%d' % (base, i)
                i += 1
            ref = '#/definitions/' + name
            spec = self.replace(spec, target, ref)
            for dn in list(self.defs):
                self.defs[dn] = self.replace(self.defs[dn], target, ref)
            self.defs[name] = json.loads(target)


def kind_schema(crd, kind, version):
    group = crd['spec']['group']
    scope = crd['spec']['scope']
    versions = {v['name']: v for v in crd['spec']['versions']}
    v = versions[version]
    if not v.get('served'):
        raise SystemExit('%s %s is not served' % (kind, version))
    root = v['schema']['openAPIV3Schema']
    h = Hoister()
    spec = h.run(clean(root['properties']['spec']))
    api_version = '%s/%s' % (group, version)
    defs = dict(sorted(h.defs.items()))
    defs['ObjectMeta'] = object_meta('subdomain')
    required = ['apiVersion', 'kind', 'metadata'] + list(root.get('required', []))
    out = {
        '$schema': 'http://json-schema.org/draft-07/schema#',
        '$comment': ('%s %s (%s). Generated by schemas/tools/gen-crd-schemas.py '
                     'from the CRD structural schema; CEL rules live in '
                     'src/validate/rules_*.c.' % (kind, api_version, scope)),
        'title': '%s %s' % (api_version, kind),
        'type': 'object',
        'required': required,
        'additionalProperties': False,
        'properties': {
            'apiVersion': {'const': api_version},
            'kind': {'const': kind},
            'metadata': {'$ref': '#/definitions/ObjectMeta'},
            'spec': spec,
            'status': {'$comment': 'Written by controllers, never validated '
                                   'from git.', 'type': 'object'},
        },
        'definitions': defs,
    }
    if 'status' not in root['properties']:
        del out['properties']['status']
    return api_version, ordered(out)


IANA_SVC_NAME = '^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$'


def core_service():
    """Service v1: what trellis reads (ports, selector, type) is checked
    strictly; the rest of a ServiceSpec is typed as Kubernetes defines it,
    and spec fields this schema does not know are accepted: Services come
    from real clusters and newer Kubernetes versions add fields that trellis
    never reads."""
    port = {
        'type': 'object',
        'required': ['port'],
        'additionalProperties': False,
        'properties': {
            'name': {'type': 'string', 'maxLength': 63, 'pattern': DNS_LABEL},
            'protocol': {'type': 'string', 'enum': ['TCP', 'UDP', 'SCTP'],
                         'default': 'TCP'},
            'appProtocol': {'type': 'string'},
            'port': {'type': 'integer', 'format': 'int32', 'minimum': 1,
                     'maximum': 65535},
            'targetPort': {
                'x-trellis-message': (
                    'Invalid value: must be a port number between 1 and '
                    '65535 or a port name (an IANA service name: at most 15 '
                    "lowercase letters, digits and '-', with a letter)"),
                'anyOf': [
                    {'type': 'integer', 'minimum': 1, 'maximum': 65535},
                    {'type': 'string', 'minLength': 1, 'maxLength': 15,
                     'pattern': IANA_SVC_NAME},
                ],
            },
            'nodePort': {'type': 'integer', 'format': 'int32', 'minimum': 0,
                         'maximum': 65535},
        },
    }
    strings = {'type': 'array', 'items': {'type': 'string'}}
    traffic = {'type': 'string', 'enum': ['Cluster', 'Local']}
    spec = {
        '$comment': 'Unknown spec fields are accepted (see the file comment).',
        'type': 'object',
        'additionalProperties': True,
        'properties': {
            'type': {'type': 'string', 'default': 'ClusterIP',
                     'enum': ['ClusterIP', 'NodePort', 'LoadBalancer',
                              'ExternalName']},
            'selector': {'type': 'object',
                         'additionalProperties': {'type': 'string',
                                                  'maxLength': 63,
                                                  'pattern': LABEL_VALUE}},
            'ports': {'type': 'array', 'items': port,
                      'x-kubernetes-list-type': 'map',
                      'x-kubernetes-list-map-keys': ['port', 'protocol']},
            'clusterIP': {'type': 'string'},
            'clusterIPs': strings,
            'externalIPs': strings,
            'externalName': {'type': 'string'},
            'externalTrafficPolicy': traffic,
            'internalTrafficPolicy': traffic,
            'healthCheckNodePort': {'type': 'integer', 'format': 'int32'},
            'ipFamilies': {'type': 'array', 'maxItems': 2,
                           'items': {'type': 'string',
                                     'enum': ['IPv4', 'IPv6']}},
            'ipFamilyPolicy': {'type': 'string',
                               'enum': ['SingleStack', 'PreferDualStack',
                                        'RequireDualStack']},
            'loadBalancerClass': {'type': 'string'},
            'loadBalancerIP': {'type': 'string'},
            'loadBalancerSourceRanges': strings,
            'allocateLoadBalancerNodePorts': {'type': 'boolean'},
            'publishNotReadyAddresses': {'type': 'boolean'},
            'sessionAffinity': {'type': 'string',
                                'enum': ['ClientIP', 'None']},
            'sessionAffinityConfig': {'type': 'object'},
            'trafficDistribution': {'type': 'string'},
        },
    }
    return core_kind('Service', 'label', {'spec': spec,
                                          'status': {'type': 'object'}}, [],
                     'Service v1 (core). What ' + ' '.join(
                         core_service.__doc__.split()[3:]))


def core_service_account():
    """ServiceAccount v1: every field it has, strictly (the IRSA role of a
    client is an annotation, checked as ObjectMeta)."""
    ref = {'type': 'object', 'additionalProperties': False,
           'properties': {'name': {'type': 'string'}}}
    obj_ref = {'type': 'object', 'additionalProperties': False,
               'properties': {k: {'type': 'string'} for k in
                              ('apiVersion', 'kind', 'name', 'namespace',
                               'uid', 'resourceVersion', 'fieldPath')}}
    props = {
        'secrets': {'type': 'array', 'items': obj_ref},
        'imagePullSecrets': {'type': 'array', 'items': ref},
        'automountServiceAccountToken': {'type': 'boolean'},
    }
    return core_kind('ServiceAccount', 'subdomain', props, [],
                     'ServiceAccount v1 (core), every field, strictly.')


def core_kind(kind, name_rule, props, required, comment):
    out = {
        '$schema': 'http://json-schema.org/draft-07/schema#',
        '$comment': comment + ' Generated by schemas/tools/gen-crd-schemas.py.',
        'title': 'v1 ' + kind,
        'type': 'object',
        'required': ['apiVersion', 'kind', 'metadata'] + required,
        'additionalProperties': False,
        'properties': dict({'apiVersion': {'const': 'v1'},
                            'kind': {'const': kind},
                            'metadata': {'$ref': '#/definitions/ObjectMeta'}},
                           **props),
        'definitions': {'ObjectMeta': object_meta(name_rule)},
    }
    return ordered(out)


def write(name, schema):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(schema, f, indent=2)
        f.write('\n')
    print('wrote', name)


def main():
    ref = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/ref'
    for path, kind, versions in KINDS:
        crd = None
        for d in yaml.safe_load_all(open(os.path.join(ref, path))):
            if d and d.get('kind') == 'CustomResourceDefinition':
                crd = d
        for version in versions:
            api_version, schema = kind_schema(crd, kind, version)
            group = api_version.split('/')[0]
            write('%s_%s_%s.schema.json' % (group, version, kind), schema)
    write('core_v1_Service.schema.json', core_service())
    write('core_v1_ServiceAccount.schema.json', core_service_account())


if __name__ == '__main__':
    main()
