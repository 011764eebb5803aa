// oidc-provider ships no types; the test kit uses a small part of it, typed where it is used.
declare module 'oidc-provider';
