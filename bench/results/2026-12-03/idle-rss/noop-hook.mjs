// A module loader hook that changes nothing: what registering any hook costs (its own thread).
import { register } from 'node:module';
register('data:text/javascript,export async function resolve(s,c,n){return n(s,c)}');
