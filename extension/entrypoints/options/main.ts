import { mount } from 'svelte';
import '../../assets/app.css';
import { createTidingsUi } from '../../lib/ui-state.svelte.js';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');
const ui = createTidingsUi();
ui.open();
mount(App, { target, props: { ui } });
