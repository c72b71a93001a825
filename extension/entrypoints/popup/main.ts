import { mount } from 'svelte';
import '../../assets/app.css';
import { PopupState } from '../../popup/popup-state.svelte.js';
import { createTidingsUi } from '../../ui/ui-state.svelte.js';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');
const ui = createTidingsUi();
ui.open();
const popup = new PopupState(ui);
// The toolbar popup sizes itself to a fixed 760×580 (Chrome grows a popup to its content, up to
// 800×600; a width relative to the viewport would collapse it). `?layout=fluid` fills the tab
// instead, for narrow windows and for checking the layout at 400 px.
const fluid = new URLSearchParams(location.search).get('layout') === 'fluid';
mount(App, { target, props: { popup, fluid } });
