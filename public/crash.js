// When the page's WebAssembly stops (a panic, or memory it could not get,
// both end in a trap), say so and offer a reload: nothing else on the page
// answers any more. Plain script and DOM, as the app itself is what failed.
// The panic message, if there was one, is left in window.__tracescopePanic.
(() => {
  const show = (error) => {
    if (!(error instanceof WebAssembly.RuntimeError) || document.getElementById('crash')) return;
    const panel = document.createElement('div');
    panel.id = 'crash';
    panel.className = 'crash';
    panel.setAttribute('role', 'alertdialog');
    panel.dataset.testid = 'crash-panel';
    const title = document.createElement('h2');
    title.textContent = 'Tracescope stopped';
    const what = document.createElement('p');
    what.textContent = `Something went wrong and this page cannot go on: ${window.__tracescopePanic || error.message}.`;
    const how = document.createElement('p');
    how.textContent = 'Reload to start again: the address keeps the trace, the view and the selection (a trace opened from a file has to be opened again).';
    const reload = document.createElement('a');
    reload.className = 'button primary';
    reload.href = location.href;
    reload.textContent = 'Reload';
    reload.dataset.testid = 'crash-reload';
    panel.append(title, what, how, reload);
    document.body.append(panel);
  };
  addEventListener('error', (e) => show(e.error));
  addEventListener('unhandledrejection', (e) => show(e.reason));
})();
