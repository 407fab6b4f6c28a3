'use strict';
// One error type for every service. `code` is the wire code the protocol
// writes (X-Amzn-ErrorType, __type or <Code>); `status` the HTTP status;
// `fields` extra members of the modelled error shape (resourceId, reason...).

class ApiError extends Error {
  constructor(code, message, status = 400, fields = {}, headers = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.fields = fields;
    this.headers = headers;
  }
}

module.exports = { ApiError };
