// When the page's WebAssembly stops (a panic, or memory it could not get,
// both end in a trap), say so and offer a reload: nothing else on the page
// answers any more. When the browser cannot compile it at all (one without
// WebAssembly SIMD), say what it needs. Plain script and DOM, as the app
// itself is what failed. The panic message, if there was one, is left in
// window.__tracescopePanic.
(() => {
  const show = (error) => {
    const stopped = error instanceof WebAssembly.RuntimeError;
    const unable = error instanceof WebAssembly.CompileError;
    if (!(stopped || unable) || document.getElementById('crash')) return;
    const panel = document.createElement('div');
    panel.id = 'crash';
    panel.className = 'crash';
    panel.setAttribute('role', 'alertdialog');
    panel.dataset.testid = 'crash-panel';
    const title = document.createElement('h2');
    const what = document.createElement('p');
    const how = document.createElement('p');
    if (unable) {
      title.textContent = 'This browser cannot run Tracescope';
      what.textContent = `Its WebAssembly could not be compiled here: ${error.message}.`;
      how.textContent = 'Tracescope needs WebAssembly with SIMD: Chrome or Edge 91, Firefox 89, Safari 16.4 or later. Open this address in one of them: it keeps the trace, the view and the selection.';
    } else {
      title.textContent = 'Tracescope stopped';
      what.textContent = `Something went wrong and this page cannot go on: ${window.__tracescopePanic || error.message}.`;
      how.textContent = 'Reload to start again: the address keeps the trace, the view and the selection (a trace opened from a file has to be opened again).';
    }
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
