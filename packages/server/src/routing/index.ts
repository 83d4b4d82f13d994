export { matchRoute, selectRoute, type RouteSelection } from './route.js';
