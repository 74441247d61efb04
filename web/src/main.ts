/**
 * Entry point: picks the view for the URL and loads only its code, so a
 * phone never downloads the moderator's wall or the QR generator.
 */
import './ui/base.css';
import { locale } from './i18n';
import { parseRoute } from './route';
import { registerServiceWorker } from './sw/register';

const root = document.getElementById('app');
if (!root) throw new Error('#app missing from index.html');
document.documentElement.lang = locale.get();

registerServiceWorker();

const route = parseRoute(location.pathname, location.hash);
switch (route.view) {
  case 'start':
    void import('./views/start/StartView').then((view) => view.mount(root));
    break;
  case 'join':
    void import('./views/participant/ParticipantView').then((view) => view.mount(root, route.code));
    break;
  case 'organiser':
    void import('./views/organiser/OrganiserView').then((view) => view.mount(root, route.invitation));
    break;
  case 'personal':
    void import('./views/participant/ParticipantView').then((view) => view.mountPersonal(root, route.board, route.code));
    break;
  case 'moderate':
    void import('./views/moderator/ModeratorView').then((view) => view.mount(root, route.board, route.token));
    break;
  case 'present':
    void import('./views/presenter/PresenterView').then((view) => view.mount(root, route.board, route.token));
    break;
  case 'watch':
    void import('./views/watch/WatchView').then((view) => view.mount(root, route.board, route.token));
    break;
  case 'event':
    void import('./views/event/EventPhone').then((view) => view.mount(root, route.event));
    break;
  case 'event-organise':
    void import('./views/event/OrganiseView').then((view) => view.mount(root, route.event, route.token));
    break;
  case 'event-present':
    void import('./views/event/EventPresenter').then((view) => view.mount(root, route.event, route.token));
    break;
  case 'series':
    void import('./views/series/SeriesView').then((view) => view.mount(root, route.series, route.token));
    break;
  case 'not-found':
    void import('./views/shared/page').then((view) => view.mountNotFound(root));
    break;
}
