/** The three icons the panel needs, as paths: @mui/icons-material would cost far more bytes. */
import SvgIcon from '@mui/material/SvgIcon';

const icon = (d) =>
  function Icon(props) {
    return (
      <SvgIcon {...props} aria-hidden="true" focusable="false">
        <path d={d} />
      </SvgIcon>
    );
  };

export const SendIcon = icon('M2.01 21 23 12 2.01 3 2 10l15 2-15 2z');
export const CloseIcon = icon(
  'M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z',
);
export const EventIcon = icon(
  'M17 12h-5v5h5zM16 1v2H8V1H6v2H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2h-1V1zm3 18H5V8h14z',
);
